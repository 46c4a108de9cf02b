//! Coordinates of sites: a coarse "is this in Vietnam" check that catches swapped,
//! zeroed or sign-flipped coordinates, and great-circle distances for the re-formation
//! radius and the distance to a unit's centre. No polygons: the project ships unit
//! centres only, and the spatial analysis proper lives in the analytics crate.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The mean Earth radius used for distances: 6,371,008.8 m (the IUGG mean radius R1).
/// A sphere is off by at most about 0.5% against the ellipsoid, far below the precision
/// of a phone fix or a 200 m re-formation radius.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// A latitude/longitude box, degrees, edges included.
struct GeoBox {
    south: f64,
    north: f64,
    west: f64,
    east: f64,
}

/// Vietnam as a union of three boxes. The mainland box (8.0–23.5 N, 102.0–110.0 E) also
/// covers the coastal islands (Phú Quốc, Côn Đảo, Bạch Long Vĩ, Cồn Cỏ) but also strips of
/// Laos, Cambodia, southern China and the sea: the check rejects coordinates that are
/// plainly wrong (0,0; lat and lon swapped; a dropped minus sign; a point in another
/// country far away), it does not prove that a point is on Vietnamese soil. The two
/// archipelago boxes are Hoàng Sa (15.7–17.2 N, 111.0–113.0 E) and Trường Sa
/// (6.5–12.0 N, 111.5–117.5 E).
const VIETNAM_BOXES: [GeoBox; 3] = [
    GeoBox { south: 8.0, north: 23.5, west: 102.0, east: 110.0 },
    GeoBox { south: 15.7, north: 17.2, west: 111.0, east: 113.0 },
    GeoBox { south: 6.5, north: 12.0, west: 111.5, east: 117.5 },
];

/// Whether a WGS84 coordinate falls inside the coarse outline of Vietnam described on
/// the boxes above (mainland and coastal islands, Hoàng Sa, Trường Sa). Not-a-number and
/// infinite values are outside.
pub fn in_vietnam(lat: f64, lon: f64) -> bool {
    VIETNAM_BOXES.iter().any(|b| lat >= b.south && lat <= b.north && lon >= b.west && lon <= b.east)
}

/// The great-circle distance in metres between two WGS84 points, by the haversine
/// formula on a sphere of radius [`EARTH_RADIUS_M`].
pub fn haversine_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (phi1, phi2) = (lat1.to_radians(), lat2.to_radians());
    let d_phi = (lat2 - lat1).to_radians();
    let d_lambda = (lon2 - lon1).to_radians();
    let h = (d_phi / 2.0).sin().powi(2) + phi1.cos() * phi2.cos() * (d_lambda / 2.0).sin().powi(2);
    // Rounding can push h a hair above 1 for antipodal points; asin would give NaN.
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

/// A checked coordinate of a site: finite, within the ranges of latitude and longitude,
/// and inside [`in_vietnam`]'s outline.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawLatLon", into = "RawLatLon")]
pub struct LatLon {
    lat: f64,
    lon: f64,
}

#[derive(Serialize, Deserialize)]
struct RawLatLon {
    lat: f64,
    lon: f64,
}

impl TryFrom<RawLatLon> for LatLon {
    type Error = CoordinateError;
    fn try_from(raw: RawLatLon) -> Result<Self, Self::Error> {
        LatLon::new(raw.lat, raw.lon)
    }
}

impl From<LatLon> for RawLatLon {
    fn from(p: LatLon) -> Self {
        RawLatLon { lat: p.lat, lon: p.lon }
    }
}

/// Why a coordinate was refused.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum CoordinateError {
    /// A value is NaN or infinite.
    #[error("coordinates must be numbers, got latitude {lat}, longitude {lon}")]
    NotFinite {
        /// The latitude given.
        lat: f64,
        /// The longitude given.
        lon: f64,
    },
    /// Latitude outside −90…90.
    #[error("latitude must be between -90 and 90 degrees, got {0}")]
    LatitudeOutOfRange(f64),
    /// Longitude outside −180…180.
    #[error("longitude must be between -180 and 180 degrees, got {0}")]
    LongitudeOutOfRange(f64),
    /// Latitude and longitude given the wrong way round: swapped back they are in Vietnam.
    #[error(
        "latitude {lat} and longitude {lon} look swapped: Vietnam lies at latitude 6.5 to 23.5 N and longitude 102 to 117.5 E"
    )]
    Swapped {
        /// The latitude given (a longitude, probably).
        lat: f64,
        /// The longitude given (a latitude, probably).
        lon: f64,
    },
    /// A valid coordinate that is not in Vietnam.
    #[error(
        "({lat}, {lon}) is outside Vietnam: expected latitude 6.5 to 23.5 N and longitude 102 to 117.5 E"
    )]
    OutsideVietnam {
        /// The latitude given.
        lat: f64,
        /// The longitude given.
        lon: f64,
    },
}

impl CoordinateError {
    /// The message in Vietnamese.
    pub fn message_vi(&self) -> String {
        match self {
            Self::NotFinite { lat, lon } => {
                format!("Tọa độ phải là số; đã nhập vĩ độ {lat}, kinh độ {lon}.")
            }
            Self::LatitudeOutOfRange(v) => {
                format!("Vĩ độ phải nằm trong khoảng -90 đến 90 độ; đã nhập {v}.")
            }
            Self::LongitudeOutOfRange(v) => {
                format!("Kinh độ phải nằm trong khoảng -180 đến 180 độ; đã nhập {v}.")
            }
            Self::Swapped { lat, lon } => format!(
                "Vĩ độ {lat} và kinh độ {lon} có vẻ bị nhập đảo ngược: Việt Nam nằm trong khoảng vĩ độ 6,5 đến 23,5 độ Bắc, kinh độ 102 đến 117,5 độ Đông."
            ),
            Self::OutsideVietnam { lat, lon } => format!(
                "Tọa độ ({lat}, {lon}) nằm ngoài lãnh thổ Việt Nam: vĩ độ phải từ 6,5 đến 23,5 độ Bắc, kinh độ từ 102 đến 117,5 độ Đông."
            ),
        }
    }
}

impl LatLon {
    /// Builds a checked coordinate (WGS84 degrees, as a phone or a map gives them).
    pub fn new(lat: f64, lon: f64) -> Result<Self, CoordinateError> {
        if !lat.is_finite() || !lon.is_finite() {
            return Err(CoordinateError::NotFinite { lat, lon });
        }
        // Checked before the ranges: a swapped pair usually fails the latitude range, and
        // "swapped" is the useful thing to tell the user.
        if in_vietnam(lon, lat) && !in_vietnam(lat, lon) {
            return Err(CoordinateError::Swapped { lat, lon });
        }
        if !(-90.0..=90.0).contains(&lat) {
            return Err(CoordinateError::LatitudeOutOfRange(lat));
        }
        if !(-180.0..=180.0).contains(&lon) {
            return Err(CoordinateError::LongitudeOutOfRange(lon));
        }
        if !in_vietnam(lat, lon) {
            return Err(CoordinateError::OutsideVietnam { lat, lon });
        }
        Ok(Self { lat, lon })
    }

    /// Latitude, degrees north.
    pub fn lat(self) -> f64 {
        self.lat
    }

    /// Longitude, degrees east.
    pub fn lon(self) -> f64 {
        self.lon
    }

    /// Great-circle distance to another point, metres.
    pub fn distance_m(self, other: LatLon) -> f64 {
        haversine_m(self.lat, self.lon, other.lat, other.lon)
    }
}

impl fmt::Display for LatLon {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.6}, {:.6}", self.lat, self.lon)
    }
}
