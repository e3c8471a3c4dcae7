//! The HTTP edge: how the core speaks to the council's server.
//!
//! Invariant: this is the only place the core touches the network; every answer comes back as
//! a status and a JSON body (status 0 when there was no answer), and sorting it into success or
//! failure is left to the pure rules. A council is reached over HTTPS; plain HTTP only on this
//! machine's loopback, where nothing crosses a network.
//!
//! TLS is rustls; its crypto provider is aws-lc-rs (the `tls-aws-lc-rs` feature, the default)
//! or ring (`tls-ring`, for the phone library), which `Council::new` installs as the process's
//! provider before building a client, since reqwest then brings none of its own.

use std::time::Duration;

use doorstep_protocol::{BatchRequest, BatchResponse};
use reqwest::{Method, header};
use serde_json::Value;

use crate::error::{Error, Result};

#[cfg(not(any(feature = "tls-aws-lc-rs", feature = "tls-ring")))]
compile_error!("doorstep-core reaches councils over HTTPS: enable `tls-aws-lc-rs` or `tls-ring`");

/// An answer from the council, or the lack of one.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// 0 when no answer came (no network, a timeout, a cut connection).
    pub status: u16,
    pub body: Value,
    pub retry_after: Option<u64>,
    pub etag: Option<String>,
}

impl Answer {
    fn no_answer(cause: &reqwest::Error) -> Self {
        Answer {
            status: 0,
            body: serde_json::json!({"error": {"code": "no_answer", "message": cause_text(cause)}}),
            retry_after: None,
            etag: None,
        }
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The error code of a failed answer.
    pub fn code(&self) -> Option<&str> {
        self.body["error"]["code"].as_str()
    }

    pub fn message(&self) -> String {
        self.body["error"]["message"].as_str().map_or_else(
            || format!("the council answered {}", self.status),
            str::to_owned,
        )
    }

    /// Read a successful answer's body as `T`, or turn a failure into the core's error.
    pub fn into<T: serde::de::DeserializeOwned>(self) -> Result<T> {
        if self.is_success() {
            return Ok(serde_json::from_value(self.body)?);
        }
        Err(self.into_error())
    }

    pub fn into_error(self) -> Error {
        let message = self.message();
        match self.status {
            0 => Error::Offline(message),
            401 => Error::AuthRequired(message),
            404 => Error::NotFound(message),
            408 | 429 | 500..=599 => Error::Offline(message),
            _ => {
                let detail: Option<doorstep_protocol::ErrorDetail> =
                    serde_json::from_value(self.body["error"].clone()).ok();
                match detail {
                    Some(detail)
                        if detail.code == "validation_failed" || detail.code == "invalid_field" =>
                    {
                        let problems = if detail.problems.is_empty() {
                            vec![doorstep_protocol::FieldProblem::new(
                                detail.field.unwrap_or_default(),
                                detail.message,
                            )]
                        } else {
                            detail.problems
                        };
                        Error::Invalid { problems }
                    }
                    Some(detail) => Error::Refused {
                        code: detail.code,
                        message: detail.message,
                        field: detail.field,
                        alternatives: detail.alternatives,
                    },
                    None => Error::Refused {
                        code: "refused".into(),
                        message,
                        field: None,
                        alternatives: Vec::new(),
                    },
                }
            }
        }
    }
}

fn too_large() -> String {
    format!(
        "the council's answer is larger than {} MB, which is more than any answer should be",
        MAX_FOREIGN_ANSWER / (1024 * 1024)
    )
}

fn cause_text(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "the council took too long to answer".to_owned()
    } else if error.is_connect() {
        "the council cannot be reached".to_owned()
    } else {
        "the connection to the council was lost".to_owned()
    }
}

/// The largest answer read from a server that is not Doorstep's own; more is refused unread.
pub const MAX_FOREIGN_ANSWER: usize = 8 * 1024 * 1024;

/// An answer as it came, for a reader that is not JSON-only (Open311).
#[derive(Debug, Clone, PartialEq)]
pub struct Raw {
    /// 0 when no answer came.
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
    /// Why there was no usable answer: no network, or a body over `MAX_FOREIGN_ANSWER`.
    pub failure: Option<String>,
}

impl Raw {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    fn failed(status: u16, why: String) -> Raw {
        Raw {
            status,
            content_type: None,
            body: Vec::new(),
            failure: Some(why),
        }
    }
}

/// Is `address` one the core may talk to? `https://` anywhere; `http://` only to a loopback
/// host (127.0.0.0/8, ::1, localhost), since a resident's token and data would otherwise cross
/// a network in clear.
pub fn check_council_address(address: &str) -> Result<()> {
    let url = reqwest::Url::parse(address).map_err(|_| {
        Error::invalid(
            "server",
            "The council's address is not a web address: write it like https://council.example",
        )
    })?;
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(&url) => Ok(()),
        "http" => Err(Error::invalid(
            "server",
            "The council's address must start with https:// (plain http:// is allowed only for this computer: localhost, 127.0.0.1 or ::1)",
        )),
        _ => Err(Error::invalid(
            "server",
            "The council's address must start with https://",
        )),
    }
}

fn is_loopback(url: &reqwest::Url) -> bool {
    let host = url.host_str().unwrap_or_default();
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// With `tls-ring`, make ring the process's rustls provider, which reqwest requires before a
/// client is built. A provider installed earlier (by this or by the host) is kept.
fn install_tls_provider() {
    #[cfg(feature = "tls-ring")]
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A council's server.
#[derive(Clone)]
pub struct Council {
    http: reqwest::Client,
    base: String,
}

impl Council {
    pub fn new(base_url: &str) -> Result<Council> {
        let base = base_url.trim_end_matches('/').to_owned();
        check_council_address(&base)?;
        install_tls_provider();
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .pool_idle_timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| Error::Internal(e.to_string()))?;
        Ok(Council { http, base })
    }

    /// Send a JSON request. `key` is the Idempotency-Key of a change.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        key: Option<&str>,
        body: Option<&Value>,
    ) -> Answer {
        let method = Method::from_bytes(method.as_bytes()).unwrap_or(Method::GET);
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(key) = key {
            request = request.header(doorstep_protocol::IDEMPOTENCY_KEY, key);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        Self::answer(request).await
    }

    /// GET with an optional `If-None-Match`.
    pub async fn get(&self, path: &str, token: Option<&str>, etag: Option<&str>) -> Answer {
        let mut request = self.http.get(format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(etag) = etag {
            request = request.header(header::IF_NONE_MATCH, etag);
        }
        Self::answer(request).await
    }

    /// PUT a photo's bytes.
    pub async fn put_photo(
        &self,
        path: &str,
        token: &str,
        key: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Answer {
        let request = self
            .http
            .put(format!("{}{path}", self.base))
            .bearer_auth(token)
            .header(doorstep_protocol::IDEMPOTENCY_KEY, key)
            .header(header::CONTENT_TYPE, content_type)
            .body(bytes);
        Self::answer(request).await
    }

    /// GET with query parameters, the answer read as it came (at most `MAX_FOREIGN_ANSWER`).
    pub async fn get_raw(&self, path: &str, query: &[(String, String)]) -> Raw {
        Self::raw(self.http.get(format!("{}{path}", self.base)).query(query)).await
    }

    /// POST a form (`application/x-www-form-urlencoded`), the answer read as it came.
    pub async fn post_form(&self, path: &str, pairs: &[(String, String)]) -> Raw {
        let body = pairs
            .iter()
            .fold(
                form_urlencoded::Serializer::new(String::new()),
                |mut form, (k, v)| {
                    form.append_pair(k, v);
                    form
                },
            )
            .finish();
        let request = self
            .http
            .post(format!("{}{path}", self.base))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body);
        Self::raw(request).await
    }

    async fn raw(request: reqwest::RequestBuilder) -> Raw {
        let mut response = match request.send().await {
            Ok(response) => response,
            Err(error) => return Raw::failed(0, cause_text(&error)),
        };
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        if response
            .content_length()
            .is_some_and(|n| n > MAX_FOREIGN_ANSWER as u64)
        {
            return Raw::failed(status, too_large());
        }
        let mut body = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > MAX_FOREIGN_ANSWER {
                        return Raw::failed(status, too_large());
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(error) => return Raw::failed(0, cause_text(&error)),
            }
        }
        Raw {
            status,
            content_type,
            body,
            failure: None,
        }
    }

    /// POST a batch of operations. Its results, or the answer that refused the batch as a whole
    /// (an answer of success that cannot be read counts as no answer).
    pub async fn send_batch(
        &self,
        token: &str,
        batch: &BatchRequest,
    ) -> std::result::Result<BatchResponse, Answer> {
        let request = self
            .http
            .post(format!("{}/v1/batch", self.base))
            .bearer_auth(token)
            .json(batch);
        let received = Self::receive(request).await?;
        if (200..300).contains(&received.status) {
            // Read straight from the bytes, each operation's answer kept as its text, rather than
            // built into one tree and converted.
            return serde_json::from_slice(&received.bytes).map_err(|_| Answer {
                status: 0,
                body: serde_json::json!({"error": {"code": "no_answer", "message": "the council's answer to a batch could not be read"}}),
                retry_after: None,
                etag: None,
            });
        }
        Err(received.answer())
    }

    async fn answer(request: reqwest::RequestBuilder) -> Answer {
        match Self::receive(request).await {
            Ok(received) => received.answer(),
            Err(none) => none,
        }
    }

    /// Send a request and read its whole answer; no answer is an `Answer` with status 0.
    async fn receive(request: reqwest::RequestBuilder) -> std::result::Result<Received, Answer> {
        let response = request
            .send()
            .await
            .map_err(|error| Answer::no_answer(&error))?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse().ok());
        let etag = response
            .headers()
            .get(header::ETAG)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = response
            .bytes()
            .await
            .map_err(|error| Answer::no_answer(&error))?
            .into();
        Ok(Received {
            status,
            retry_after,
            etag,
            bytes,
        })
    }
}

/// An answer as read, before its body is parsed.
struct Received {
    status: u16,
    retry_after: Option<u64>,
    etag: Option<String>,
    bytes: Vec<u8>,
}

impl Received {
    fn answer(self) -> Answer {
        Answer {
            status: self.status,
            body: serde_json::from_slice(&self.bytes).unwrap_or(Value::Null),
            retry_after: self.retry_after,
            etag: self.etag,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused_field(address: &str) -> Option<String> {
        match check_council_address(address) {
            Err(Error::Invalid { problems }) => Some(problems[0].field.clone()),
            _ => None,
        }
    }

    #[test]
    fn https_is_taken_anywhere() {
        assert!(check_council_address("https://council.example").is_ok());
        assert!(check_council_address("https://203.0.113.7:8443/api").is_ok());
        assert!(Council::new("https://council.example/").is_ok());
    }

    /// reqwest with `rustls-no-provider` panics on building a client unless a provider is
    /// installed, and with both features it would quietly fall back to aws-lc-rs: either way,
    /// ring being the process's provider after `Council::new` shows the core installed it.
    #[cfg(feature = "tls-ring")]
    #[test]
    fn with_tls_ring_a_council_is_reached_through_ring() {
        Council::new("https://council.example").unwrap();
        let installed = rustls::crypto::CryptoProvider::get_default().expect("a provider");
        let ring = rustls::crypto::ring::default_provider();
        let groups = |provider: &rustls::crypto::CryptoProvider| {
            let names = provider.kx_groups.iter().map(|group| group.name());
            names.collect::<Vec<_>>()
        };
        assert_eq!(groups(installed), groups(&ring));
        assert_eq!(installed.cipher_suites, ring.cipher_suites);
    }

    #[test]
    fn plain_http_is_taken_only_on_loopback() {
        for address in [
            "http://127.0.0.1:8080",
            "http://127.1.2.3",
            "http://[::1]:9000",
            "http://localhost:3000",
            "http://LOCALHOST",
        ] {
            assert!(check_council_address(address).is_ok(), "{address}");
        }
    }

    #[test]
    fn plain_http_across_a_network_is_refused_naming_the_server_field() {
        for address in [
            "http://council.example",
            "http://192.168.1.10:8080",
            "http://[2001:db8::1]",
            "http://localhost.council.example",
            "http://127.0.0.1.council.example",
            "ftp://council.example",
            "council.example",
        ] {
            assert_eq!(
                refused_field(address).as_deref(),
                Some("server"),
                "{address}"
            );
        }
        assert!(matches!(
            Council::new("http://council.example"),
            Err(Error::Invalid { .. })
        ));
    }

    #[tokio::test]
    async fn an_https_council_is_spoken_to_in_tls() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let heard = tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.unwrap();
            let mut first = [0u8; 3];
            tokio::io::AsyncReadExt::read_exact(&mut stream, &mut first)
                .await
                .unwrap();
            first
        });
        let council = Council::new(&format!("https://127.0.0.1:{port}")).unwrap();
        let asking = tokio::spawn(async move { council.get("/v1/health", None, None).await });
        let first = tokio::time::timeout(Duration::from_secs(10), heard)
            .await
            .expect("the core connects to the https address")
            .unwrap();
        assert_eq!(first[0], 0x16, "a TLS handshake record");
        assert_eq!(first[1], 0x03, "of TLS 1.x");
        asking.abort();
    }
}
