//! Sites near a place: the duplicates warning and the box that narrows spatial look-ups.

use super::*;

/// A site near a given place.
#[derive(Debug, Clone, Serialize)]
pub struct Nearby {
    /// The site.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Its state.
    pub state: SiteState,
    /// Distance, metres.
    pub distance_m: f64,
}

#[derive(sqlx::FromRow)]
struct NearRow {
    id: i64,
    name: String,
    state: String,
    lat: f64,
    lon: f64,
}

/// Sites within `radius_m` of `at`, nearest first, in any scope (a duplicate across a
/// commune border is still a duplicate). A latitude/longitude box narrows the rows in
/// SQL; the great-circle distance decides in Rust.
#[tracing::instrument(skip(db))]
pub async fn nearby(db: &Db, at: LatLon, radius_m: f64) -> Result<Vec<Nearby>, DbError> {
    let q = Query::select()
        .columns(["id", "name", "state", "lat", "lon"])
        .from("sites")
        .cond_where(within_box(at, radius_m))
        .to_owned();
    let rows: Vec<NearRow> = db.exec().fetch_all(&q).await?;
    let mut out = Vec::new();
    for r in rows {
        let d = diaban_domain::site::haversine_m(at.lat(), at.lon(), r.lat, r.lon);
        if d <= radius_m {
            out.push(Nearby { id: r.id, name: r.name, state: stored(r.state.parse())?, distance_m: d });
        }
    }
    out.sort_by(|a, b| a.distance_m.total_cmp(&b.distance_m));
    Ok(out)
}

/// The rows of `sites` whose coordinates lie in a latitude/longitude box around `at`
/// that holds every point within `radius_m`: it narrows the rows in SQL (the `lat`
/// index), and the great-circle distance makes the final cut in Rust.
pub(crate) fn within_box(at: LatLon, radius_m: f64) -> Cond {
    // One degree of latitude is at least 110.5 km; a margin of 10% keeps the box generous.
    let dlat = radius_m * 1.1 / 110_500.0;
    let dlon = dlat / at.lat().to_radians().cos().max(0.01);
    Cond::all()
        .add(Expr::col("lat").between(at.lat() - dlat, at.lat() + dlat))
        .add(Expr::col("lon").between(at.lon() - dlon, at.lon() + dlon))
}
