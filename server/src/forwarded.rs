//! Who the client is when the council's own proxies stand in front of the server: the address
//! the registration limit counts by.
//!
//! Invariant: `X-Forwarded-For` is believed only as far as the council's trusted proxies wrote
//! it. Read from the right, each address a trusted proxy connected from is passed over, and the
//! first address that is not a trusted proxy is the client; a connection that does not come
//! from a trusted proxy is its own client, whatever it sends. So a client cannot choose the
//! address it is counted by, and residents behind one proxy are not counted as one.

use std::net::{IpAddr, SocketAddr};

use axum::{
    extract::{ConnectInfo, Request, State},
    middleware::Next,
    response::Response,
};

use crate::AppState;

/// The header a proxy adds the address it was reached from to.
pub const FORWARDED_FOR: &str = "x-forwarded-for";

/// The client of a connection from `peer`, given the `X-Forwarded-For` values sent (in order).
pub fn client(peer: IpAddr, forwarded_for: &[&str], trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let mut client = peer;
    let hops = forwarded_for
        .iter()
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .rev();
    for hop in hops {
        let Ok(address) = hop.parse::<IpAddr>() else {
            break;
        };
        client = address;
        if !trusted.contains(&address) {
            break;
        }
    }
    client
}

/// A layer putting the client's address, as `client` finds it, where the connection's own was,
/// so that every handler (and every operation of a batch) counts by it.
pub async fn resolve(State(app): State<AppState>, mut request: Request, next: Next) -> Response {
    let trusted = &app.trusted_proxies;
    if !trusted.is_empty()
        && let Some(ConnectInfo(peer)) = request.extensions().get::<ConnectInfo<SocketAddr>>()
    {
        let values: Vec<&str> = request
            .headers()
            .get_all(FORWARDED_FOR)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        let found = SocketAddr::new(client(peer.ip(), &values, trusted), peer.port());
        request.extensions_mut().insert(ConnectInfo(found));
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn without_trusted_proxies_the_connection_is_the_client() {
        assert_eq!(
            client(ip("203.0.113.9"), &["198.51.100.1"], &[]),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn a_stranger_cannot_choose_its_address_by_the_header() {
        let trusted = [ip("10.0.0.2")];
        assert_eq!(
            client(ip("203.0.113.9"), &["198.51.100.1"], &trusted),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn behind_a_trusted_proxy_the_last_untrusted_hop_is_the_client() {
        let trusted = [ip("10.0.0.2"), ip("10.0.0.3")];
        // The client claimed 192.0.2.1 itself; the outer proxy saw 198.51.100.7.
        let sent = ["192.0.2.1, 198.51.100.7", "10.0.0.3"];
        assert_eq!(client(ip("10.0.0.2"), &sent, &trusted), ip("198.51.100.7"));
    }

    #[test]
    fn a_trusted_proxy_with_no_or_unreadable_header_is_taken_as_it_is() {
        let trusted = [ip("10.0.0.2")];
        assert_eq!(client(ip("10.0.0.2"), &[], &trusted), ip("10.0.0.2"));
        assert_eq!(
            client(ip("10.0.0.2"), &["unknown"], &trusted),
            ip("10.0.0.2")
        );
        assert_eq!(
            client(ip("10.0.0.2"), &["garbage, 198.51.100.7"], &trusted),
            ip("198.51.100.7")
        );
    }
}
