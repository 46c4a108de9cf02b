//! H3 cells as plain `u64` values for callers that should not need to know
//! h3o: validation, the hexadecimal form used in files and URLs, centre,
//! boundary polygon and area.

use h3o::{CellIndex, LatLng, Resolution};

use crate::error::{Error, ErrorKind, Result};

/// Checks an H3 resolution (0 to 15).
pub(crate) fn resolution(res: u8) -> Result<Resolution> {
    Resolution::try_from(res)
        .map_err(|_| Error::parameter(format!("H3 resolution must be 0 to 15, not {res}")))
}

/// Checks that a `u64` is an H3 cell index.
pub(crate) fn cell_index(cell: u64) -> Result<CellIndex> {
    CellIndex::try_from(cell)
        .map_err(|_| Error::new(ErrorKind::InvalidCell, format!("{cell:#x} is not an H3 cell")))
}

/// The lowercase hexadecimal form of a cell (`88658d2b09fffff`), as written
/// in the output files.
pub fn cell_hex(cell: u64) -> String {
    format!("{cell:x}")
}

/// Parses the hexadecimal form of a cell.
///
/// ```
/// use diaban_analytics::{cell_hex, parse_cell};
/// let cell = parse_cell("88658d2b09fffff").unwrap();
/// assert_eq!(cell_hex(cell), "88658d2b09fffff");
/// assert!(parse_cell("not a cell").is_err());
/// ```
pub fn parse_cell(hex: &str) -> Result<u64> {
    let value = u64::from_str_radix(hex.trim(), 16)
        .map_err(|_| Error::new(ErrorKind::InvalidCell, format!("{hex:?} is not an H3 cell")))?;
    cell_index(value).map(u64::from)
}

/// The cell a point falls in, at resolution `res`.
///
/// ```
/// let cell = diaban_analytics::cell_at(15.1205, 108.8044, 8).unwrap();
/// assert_eq!(diaban_analytics::cell_hex(cell).len(), 15);
/// ```
pub fn cell_at(lat: f64, lon: f64, res: u8) -> Result<u64> {
    let res = resolution(res)?;
    let point = LatLng::new(lat, lon)
        .map_err(|_| Error::parameter(format!("({lat}, {lon}) is not a valid coordinate")))?;
    Ok(point.to_cell(res).into())
}

/// The centre of a cell as `(lat, lon)` in degrees.
pub fn cell_center(cell: u64) -> Result<(f64, f64)> {
    let centre = LatLng::from(cell_index(cell)?);
    Ok((centre.lat(), centre.lng()))
}

/// The boundary polygon of a cell as `(lat, lon)` vertices in degrees,
/// counter-clockwise, without repeating the first vertex: what a map layer
/// draws. Hexagons have 6 vertices, pentagons 5, and cells cut by an
/// icosahedron edge a few more.
///
/// ```
/// let cell = diaban_analytics::cell_at(15.1205, 108.8044, 8).unwrap();
/// let ring = diaban_analytics::cell_boundary(cell).unwrap();
/// assert_eq!(ring.len(), 6);
/// ```
pub fn cell_boundary(cell: u64) -> Result<Vec<(f64, f64)>> {
    Ok(cell_index(cell)?.boundary().iter().map(|v| (v.lat(), v.lng())).collect())
}

/// The area of a cell in square kilometres (on H3's spherical Earth).
pub fn cell_area_km2(cell: u64) -> Result<f64> {
    Ok(cell_index(cell)?.area_km2())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers_refuse_bad_values() {
        assert_eq!(cell_index(0).unwrap_err().kind(), ErrorKind::InvalidCell);
        assert_eq!(resolution(16).unwrap_err().kind(), ErrorKind::InvalidParameter);
        assert!(cell_at(f64::NAN, 0.0, 8).is_err());
        assert!(parse_cell("").is_err());
        // A valid u64 that is a vertex index, not a cell.
        assert!(parse_cell("2222597fffffffff").is_err());
    }

    #[test]
    fn centre_and_boundary_agree() {
        let cell = cell_at(14.5, 108.5, 9).unwrap();
        let (lat, lon) = cell_center(cell).unwrap();
        assert_eq!(cell_at(lat, lon, 9).unwrap(), cell);
        let ring = cell_boundary(cell).unwrap();
        let mean_lat = ring.iter().map(|v| v.0).sum::<f64>() / ring.len() as f64;
        assert!((mean_lat - lat).abs() < 0.01);
        let area = cell_area_km2(cell).unwrap();
        assert!(area > 0.05 && area < 0.2, "{area}");
    }
}
