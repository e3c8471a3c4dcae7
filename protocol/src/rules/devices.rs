//! What a device must say about itself to register.
//!
//! Invariant: a registration names a known platform, a short name, and a secret long enough
//! that nobody can guess it; anything else is refused, field by field.

use crate::{FieldProblem, NewDevice};

/// The platforms Doorstep runs on.
pub const PLATFORMS: [&str; 7] = ["linux", "windows", "macos", "android", "ios", "cli", "web"];

/// Check a registration.
pub fn validate_device(device: &NewDevice) -> Vec<FieldProblem> {
    let mut problems = Vec::new();
    if !PLATFORMS.contains(&device.platform.as_str()) {
        problems.push(FieldProblem::new(
            "platform",
            format!(
                "Say which platform this is: one of {}",
                PLATFORMS.join(", ")
            ),
        ));
    }
    if device.name.chars().count() > 100 {
        problems.push(FieldProblem::new(
            "name",
            "Use 100 characters or fewer for the device's name",
        ));
    }
    let secret = &device.device_secret;
    if !(32..=128).contains(&secret.len()) || !secret.bytes().all(|b| b.is_ascii_graphic()) {
        problems.push(FieldProblem::new(
            "device_secret",
            "Make the device secret 32 to 128 visible characters, at random, once",
        ));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(platform: &str, secret: &str) -> NewDevice {
        NewDevice {
            platform: platform.into(),
            name: "Pixel".into(),
            device_secret: secret.into(),
        }
    }

    #[test]
    fn a_device_needs_a_known_platform_and_a_long_secret() {
        assert!(validate_device(&device("android", &"s".repeat(32))).is_empty());
        let problems = validate_device(&device("toaster", "short"));
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["platform", "device_secret"]);
        assert_eq!(
            validate_device(&device("ios", &"s".repeat(129)))[0].field,
            "device_secret"
        );
        assert_eq!(
            validate_device(&device("ios", &" ".repeat(40)))[0].field,
            "device_secret"
        );
    }
}
