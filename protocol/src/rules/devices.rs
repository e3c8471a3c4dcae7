//! What a device must say about itself to register, and the push token it may give.
//!
//! Invariant: a registration names a known platform, a short name, and a secret long enough
//! that nobody can guess it; a push token is one its service could have issued; anything else
//! is refused, field by field.

use crate::{FieldProblem, NewDevice, PushService, PushToken};

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

/// The longest push token taken: FCM's are about 160 characters and APNs's 64 hex digits, and
/// neither promises to stay that length.
pub const MAX_PUSH_TOKEN_CHARS: usize = 4096;

/// Check a push token: FCM's are visible characters without spaces, APNs's hexadecimal.
pub fn validate_push_token(push: &PushToken) -> Vec<FieldProblem> {
    let token = &push.token;
    let well_formed = match push.service {
        PushService::Fcm => token.bytes().all(|b| b.is_ascii_graphic()),
        PushService::Apns => {
            token.len().is_multiple_of(2) && token.bytes().all(|b| b.is_ascii_hexdigit())
        }
    };
    if token.is_empty() || token.len() > MAX_PUSH_TOKEN_CHARS || !well_formed {
        let what = match push.service {
            PushService::Fcm => "the registration token Firebase Messaging gave this app",
            PushService::Apns => "the device token APNs gave this app, in hexadecimal",
        };
        return vec![FieldProblem::new(
            "token",
            format!("Send {what}, as it was given (at most {MAX_PUSH_TOKEN_CHARS} characters)"),
        )];
    }
    Vec::new()
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

    #[test]
    fn a_push_token_must_be_one_its_service_could_have_given() {
        let push = |service, token: &str| PushToken {
            service,
            token: token.into(),
        };
        let fcm = "cJ3x8-Qx:APA91bH_e9Z";
        assert!(validate_push_token(&push(PushService::Fcm, fcm)).is_empty());
        assert!(validate_push_token(&push(PushService::Apns, &"ab01".repeat(16))).is_empty());
        for (service, wrong) in [
            (PushService::Fcm, String::new()),
            (PushService::Fcm, "has a space".to_owned()),
            (PushService::Fcm, "x".repeat(MAX_PUSH_TOKEN_CHARS + 1)),
            (PushService::Apns, fcm.to_owned()),
            (PushService::Apns, "abc".to_owned()),
        ] {
            let problems = validate_push_token(&push(service, &wrong));
            assert_eq!(problems.len(), 1, "{wrong:?}");
            assert_eq!(problems[0].field, "token");
        }
    }
}
