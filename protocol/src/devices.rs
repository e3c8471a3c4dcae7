//! Device identity and sign-in by emailed code.
//!
//! Invariant: a token is shown once, in the answer that creates it; the server keeps only its hash.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `POST /v1/devices`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NewDevice {
    /// `linux`, `windows`, `macos`, `android`, `ios`, `cli`, `web`.
    pub platform: String,
    #[serde(default)]
    pub name: String,
    /// A random secret the device makes once and keeps (32 to 128 visible characters). A
    /// replayed registration is honoured only with it, so a key alone never yields a token.
    pub device_secret: String,
}

/// A device's identity and the bearer token it uses from now on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DeviceToken {
    pub device_id: String,
    pub token: String,
}

/// `POST /v1/auth/email`: send a one-time code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EmailSignIn {
    pub email: String,
}

/// The code is on its way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CodeSent {
    /// The address, partly hidden: `j***@example.com`.
    pub sent_to: String,
    pub expires_in_seconds: u64,
}

/// `POST /v1/auth/verify`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct VerifyCode {
    pub email: String,
    pub code: String,
}

/// Signed in: the account token replaces the device token; the device's things join the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AccountToken {
    pub account_id: String,
    pub device_id: String,
    pub email: String,
    pub token: String,
}

/// `POST /v1/auth/signout`: the account token is revoked; the device goes on with the device
/// token it had before signing in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SignedOut {
    pub device_id: String,
}

/// The push service a phone is woken through: Firebase Cloud Messaging (Android) or the Apple
/// Push Notification service (iOS).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "lowercase")]
pub enum PushService {
    Fcm,
    Apns,
}

impl PushService {
    /// The name the protocol and the store use.
    pub fn name(self) -> &'static str {
        match self {
            PushService::Fcm => "fcm",
            PushService::Apns => "apns",
        }
    }

    /// The service of a stored or sent name.
    pub fn named(name: &str) -> Option<PushService> {
        match name {
            "fcm" => Some(PushService::Fcm),
            "apns" => Some(PushService::Apns),
            _ => None,
        }
    }
}

/// `PUT /v1/devices/me/push-token`: the token the phone's push service gave it, so the council
/// can tell it "something changed" (a push never carries more). A token belongs to one device:
/// registering it moves it from any other.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PushToken {
    pub service: PushService,
    pub token: String,
}

/// How the council wakes the calling device: the answer to registering a push token (its
/// service) and to `DELETE /v1/devices/me/push-token` (none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PushTarget {
    pub device_id: String,
    pub service: Option<PushService>,
}

/// `GET /v1/me`: everything the council holds about the caller, to take away.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MyData {
    pub device_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_email: Option<String>,
    /// The token this device's push service gave it, if it gave the council one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub push_token: Option<PushToken>,
    pub reports: Vec<crate::Report>,
    pub bookings: Vec<crate::Booking>,
    pub payments: Vec<crate::Payment>,
}

/// `POST /v1/me/erase`: what was erased. The council keeps what the law makes it keep (a
/// payment, a report's place and problem) with nothing left that points to the resident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Erased {
    pub reports: u64,
    pub bookings: u64,
    pub payments: u64,
}
