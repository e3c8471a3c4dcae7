//! A small Open311 server for the core to meet: it answers with recorded payloads (the files
//! under `tests/fixtures/open311/`), records what is posted, and can lose the answer to a post
//! after it has kept it, as a real server whose reply never arrives.
//!
//! Invariant: it listens on 127.0.0.1 only, on a port of its own, and stops when dropped.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use axum::{
    Router,
    body::{Body, Bytes},
    extract::State,
    http::{Method, StatusCode, Uri, header},
    response::{IntoResponse, Response},
};
use tokio::{net::TcpListener, task::JoinHandle};

/// What the fixture server answers and what it has seen.
#[derive(Default)]
pub struct Served {
    /// Answers by method and path under the base, like `GET /services.xml`.
    pub answers: HashMap<String, (String, Vec<u8>)>,
    /// Every form posted, in order.
    pub posts: Vec<Vec<(String, String)>>,
    /// Lose the answer to this many posts, after keeping them.
    pub lose_post_answers: u32,
    /// Answer `GET /requests.json` with what was posted (ids from 5000), as a server does.
    pub list_posts: bool,
    /// Every GET, as path and query.
    pub gets: Vec<String>,
}

/// The fixture server; stops on drop.
pub struct FixtureCouncil {
    /// The Open311 base: `http://127.0.0.1:PORT/open311/v2`.
    pub url: String,
    pub served: Arc<Mutex<Served>>,
    task: JoinHandle<()>,
}

/// A recorded payload, by its file name.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = crate::workspace().join("tests/fixtures/open311").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

impl FixtureCouncil {
    pub async fn start() -> FixtureCouncil {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("the fixture server binds");
        let port = listener.local_addr().expect("its address").port();
        let served = Arc::new(Mutex::new(Served::default()));
        let app = Router::new().fallback(answer).with_state(served.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FixtureCouncil {
            url: format!("http://127.0.0.1:{port}/open311/v2"),
            served,
            task,
        }
    }

    /// Answer `method_path` (like `GET /services.xml`) with a recorded payload.
    pub fn serve(&self, method_path: &str, file: &str) {
        let content_type = if file.ends_with(".xml") {
            "text/xml; charset=utf-8"
        } else {
            "application/json"
        };
        self.serve_bytes(method_path, content_type, fixture(file));
    }

    pub fn serve_bytes(&self, method_path: &str, content_type: &str, body: Vec<u8>) {
        self.served
            .lock()
            .expect("fixture state")
            .answers
            .insert(method_path.to_owned(), (content_type.to_owned(), body));
    }

    pub fn posts(&self) -> Vec<Vec<(String, String)>> {
        self.served.lock().expect("fixture state").posts.clone()
    }

    pub fn set(&self, change: impl FnOnce(&mut Served)) {
        change(&mut self.served.lock().expect("fixture state"));
    }
}

impl Drop for FixtureCouncil {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn answer(
    State(served): State<Arc<Mutex<Served>>>,
    method: Method,
    uri: Uri,
    body: Bytes,
) -> Response {
    let path = uri
        .path()
        .strip_prefix("/open311/v2")
        .unwrap_or(uri.path())
        .to_owned();
    let mut served = served.lock().expect("fixture state");
    if method == Method::POST {
        served.posts.push(
            form_urlencoded::parse(&body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        );
        if served.lose_post_answers > 0 {
            served.lose_post_answers -= 1;
            return lost_answer();
        }
    } else {
        served
            .gets
            .push(format!("{path}?{}", uri.query().unwrap_or_default()));
        if served.list_posts && path == "/requests.json" {
            return listed(&served.posts);
        }
    }
    match served.answers.get(&format!("{method} {path}")) {
        Some((content_type, body)) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, content_type.clone())],
            body.clone(),
        )
            .into_response(),
        None => (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "application/json")],
            r#"[{"code":404,"description":"not here"}]"#,
        )
            .into_response(),
    }
}

/// The posts so far as a request list.
fn listed(posts: &[Vec<(String, String)>]) -> Response {
    let rows: Vec<serde_json::Value> = posts
        .iter()
        .enumerate()
        .map(|(i, form)| {
            let field = |name: &str| {
                form.iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default()
            };
            serde_json::json!({
                "service_request_id": (5000 + i).to_string(),
                "status": "open",
                "service_code": field("service_code"),
                "description": field("description"),
                "requested_datetime": chrono::Utc::now().to_rfc3339(),
            })
        })
        .collect();
    axum::Json(rows).into_response()
}

/// Headers, then a body that breaks off: the client never gets the answer.
fn lost_answer() -> Response {
    let broken = futures_util::stream::once(async {
        Err::<Bytes, _>(std::io::Error::other("the connection was lost"))
    });
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from_stream(broken))
        .unwrap_or_default()
}
