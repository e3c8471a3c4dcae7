//! Points and the council's boundary.
//!
//! Invariant: a point counts as inside only when both coordinates are finite, in range, and
//! strictly within the ring by the even-odd rule.

use crate::GeoPoint;

/// Both coordinates are finite numbers in the ranges of WGS84 degrees.
pub fn valid_point(point: GeoPoint) -> bool {
    point.lat.is_finite()
        && point.lon.is_finite()
        && (-90.0..=90.0).contains(&point.lat)
        && (-180.0..=180.0).contains(&point.lon)
}

/// Is `point` inside the ring `polygon` (even-odd rule; the ring closes itself)?
pub fn contains(polygon: &[GeoPoint], point: GeoPoint) -> bool {
    if !valid_point(point) || polygon.len() < 3 {
        return false;
    }
    let mut inside = false;
    let mut previous = polygon[polygon.len() - 1];
    for &current in polygon {
        let crosses = (current.lat > point.lat) != (previous.lat > point.lat);
        if crosses {
            let lon_at = (previous.lon - current.lon) * (point.lat - current.lat)
                / (previous.lat - current.lat)
                + current.lon;
            if point.lon < lon_at {
                inside = !inside;
            }
        }
        previous = current;
    }
    inside
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square() -> Vec<GeoPoint> {
        [(0.0, 0.0), (0.0, 1.0), (1.0, 1.0), (1.0, 0.0)]
            .into_iter()
            .map(|(lat, lon)| GeoPoint { lat, lon })
            .collect()
    }

    #[test]
    fn a_point_in_the_square_is_inside_and_one_beside_it_is_not() {
        assert!(contains(&square(), GeoPoint { lat: 0.5, lon: 0.5 }));
        assert!(!contains(&square(), GeoPoint { lat: 0.5, lon: 1.5 }));
        assert!(!contains(
            &square(),
            GeoPoint {
                lat: -0.1,
                lon: 0.5
            }
        ));
    }

    #[test]
    fn concave_notch_is_outside() {
        // A "C" shape: the notch on the right is outside.
        let c: Vec<GeoPoint> = [
            (0.0, 0.0),
            (0.0, 3.0),
            (1.0, 3.0),
            (1.0, 1.0),
            (2.0, 1.0),
            (2.0, 3.0),
            (3.0, 3.0),
            (3.0, 0.0),
        ]
        .into_iter()
        .map(|(lat, lon)| GeoPoint { lat, lon })
        .collect();
        assert!(!contains(&c, GeoPoint { lat: 1.5, lon: 2.0 }));
        assert!(contains(&c, GeoPoint { lat: 1.5, lon: 0.5 }));
    }

    #[test]
    fn non_finite_or_out_of_range_points_are_never_inside() {
        assert!(!contains(
            &square(),
            GeoPoint {
                lat: f64::NAN,
                lon: 0.5
            }
        ));
        assert!(!valid_point(GeoPoint {
            lat: 91.0,
            lon: 0.0
        }));
        assert!(!valid_point(GeoPoint {
            lat: 0.0,
            lon: f64::INFINITY
        }));
        assert!(valid_point(GeoPoint {
            lat: 54.77,
            lon: -1.57
        }));
    }
}
