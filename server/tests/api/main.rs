//! End-to-end tests of the council API: a real server on a free loopback port, a real SQLite
//! file, and HTTP from a real client.

mod authorization;
mod binary;
mod bookings;
mod common;
mod open311;
mod payments;
mod reports;
mod residents;
