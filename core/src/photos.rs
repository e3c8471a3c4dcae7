//! Photos: resized and re-encoded on the device before anything else sees them.
//!
//! Invariant: what leaves the device is a fresh JPEG made from the decoded pixels only, no
//! longer than `LONG_EDGE` pixels on its long edge — so EXIF, GPS and every other tag of the
//! original are gone — and it is named by the SHA-256 of those new bytes.

use image::{DynamicImage, ImageFormat, imageops::FilterType};
use sha2::{Digest, Sha256};

/// The long edge of an uploaded photo, in pixels.
pub const LONG_EDGE: u32 = 2048;
/// Photos larger than this are refused before decoding.
pub const MAX_INPUT_BYTES: usize = 30 * 1024 * 1024;

/// The kinds of photo this build reads, as the error says them.
#[cfg(feature = "webp")]
const READABLE: &str = "JPEG, PNG or WebP";
#[cfg(not(feature = "webp"))]
const READABLE: &str = "JPEG or PNG";

/// A photo ready to upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Photo {
    pub sha256: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// Decode, shrink to `LONG_EDGE`, and re-encode as JPEG; an error says what is wrong in words.
pub fn prepare(original: &[u8]) -> Result<Photo, String> {
    if original.len() > MAX_INPUT_BYTES {
        return Err("The photo is too large: choose one under 30 MB".to_owned());
    }
    let decoded = image::load_from_memory(original)
        .map_err(|_| format!("This file is not a photo Doorstep can read: use a {READABLE}"))?;
    let resized = if decoded.width().max(decoded.height()) > LONG_EDGE {
        decoded.resize(LONG_EDGE, LONG_EDGE, FilterType::Triangle)
    } else {
        decoded
    };
    let mut bytes = Vec::new();
    DynamicImage::ImageRgb8(resized.to_rgb8())
        .write_to(&mut std::io::Cursor::new(&mut bytes), ImageFormat::Jpeg)
        .map_err(|e| format!("The photo could not be prepared: {e}"))?;
    let sha256 = hex::encode(Sha256::digest(&bytes));
    Ok(Photo {
        sha256,
        content_type: "image/jpeg",
        bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg(width: u32, height: u32) -> Vec<u8> {
        let image = DynamicImage::ImageRgb8(image::RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
        }));
        let mut bytes = Vec::new();
        image
            .write_to(&mut std::io::Cursor::new(&mut bytes), ImageFormat::Jpeg)
            .unwrap();
        bytes
    }

    /// Put an EXIF segment with a GPS-like payload straight after the JPEG's start marker.
    fn with_exif(jpeg: &[u8]) -> Vec<u8> {
        let payload = b"Exif\0\0MM\0*GPSLatitude 54.7761 GPSLongitude -1.5733 home";
        let length = (payload.len() + 2) as u16;
        let mut out = jpeg[..2].to_vec();
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&length.to_be_bytes());
        out.extend_from_slice(payload);
        out.extend_from_slice(&jpeg[2..]);
        out
    }

    #[test]
    fn exif_and_gps_tags_do_not_survive() {
        let original = with_exif(&jpeg(64, 48));
        assert!(original.windows(4).any(|w| w == b"Exif"));
        let photo = prepare(&original).unwrap();
        assert!(!photo.bytes.windows(4).any(|w| w == b"Exif"));
        assert!(!photo.bytes.windows(11).any(|w| w == b"GPSLatitude"));
        assert_eq!(photo.content_type, "image/jpeg");
    }

    #[test]
    fn large_photos_are_shrunk_to_the_long_edge() {
        let photo = prepare(&jpeg(3000, 1500)).unwrap();
        let decoded = image::load_from_memory(&photo.bytes).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (2048, 1024));
        let small = prepare(&jpeg(640, 480)).unwrap();
        assert_eq!(image::load_from_memory(&small.bytes).unwrap().width(), 640);
    }

    #[test]
    fn a_photo_is_named_by_the_hash_of_what_is_sent() {
        let photo = prepare(&jpeg(32, 32)).unwrap();
        assert_eq!(photo.sha256, hex::encode(Sha256::digest(&photo.bytes)));
    }

    #[test]
    fn something_that_is_not_a_photo_is_refused_in_words() {
        let error = prepare(b"%PDF-1.7 a letter").unwrap_err();
        assert!(error.contains("not a photo"), "{error}");
    }
}
