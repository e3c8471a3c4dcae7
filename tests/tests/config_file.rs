//! `doorstep-server --config FILE`: the real server started from a deployment file in a folder
//! of its own serves from the store and profile the file names (paths read from the file's
//! folder, whatever the working directory), its other commands take the same store, and a file
//! that cannot work stops it before it listens, saying which key and what to write.

use std::{
    net::TcpStream,
    process::{Command, Output},
};

use doorstep_e2e::{Deployed, TempDir, binary, council_dir, free_port};

fn server(args: &[&str], cwd: &std::path::Path) -> Command {
    let mut command = Command::new(binary("doorstep-server"));
    command.args(args).current_dir(cwd).env("RUST_LOG", "warn");
    command
}

fn run(args: &[&str], cwd: &std::path::Path) -> Output {
    server(args, cwd).output().expect("doorstep-server runs")
}

#[tokio::test]
async fn a_council_runs_from_its_deployment_file() {
    let deployment = TempDir::new("deployment");
    let elsewhere = TempDir::new("elsewhere");
    let port = free_port();
    let file = deployment.0.join("council.toml");
    std::fs::write(
        &file,
        format!(
            "db = \"data/council.sqlite3\"\nlisten = \"127.0.0.1:{port}\"\ncouncil = {:?}\n\
             public_url = \"http://127.0.0.1:{port}/\"\n\n[limits]\ncodes_per_hour = 2\n",
            council_dir().display().to_string()
        ),
    )
    .unwrap();
    std::fs::create_dir_all(deployment.0.join("data")).unwrap();
    let config = file.display().to_string();

    let _serving = Deployed::start(&file, port, &elsewhere.0, &[], None);
    let http = reqwest::Client::new();
    let health = http
        .get(format!("http://127.0.0.1:{port}/v1/health"))
        .send()
        .await
        .unwrap();
    assert!(health.status().is_success(), "{}", health.status());
    let council: serde_json::Value = http
        .get(format!("http://127.0.0.1:{port}/v1/council"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(council["id"], "durham", "the profile the file names");
    assert!(
        deployment.0.join("data/council.sqlite3").exists(),
        "the store beside the file, not in the working directory"
    );
    assert!(!elsewhere.0.join("data").exists());

    let issued = run(&["--config", &config, "staff", "token"], &elsewhere.0);
    assert!(
        issued.status.success(),
        "{}",
        String::from_utf8_lossy(&issued.stderr)
    );
    let token = String::from_utf8_lossy(&issued.stdout).trim().to_owned();
    let reports = http
        .get(format!("http://127.0.0.1:{port}/v1/staff/reports"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert!(
        reports.status().is_success(),
        "a staff token from the same store: {}",
        reports.status()
    );
}

#[test]
fn a_file_that_cannot_work_stops_the_server_before_it_listens() {
    let deployment = TempDir::new("deployment");
    let port = free_port();
    let file = deployment.0.join("council.toml");
    std::fs::write(
        &file,
        format!(
            "db = \"council.sqlite3\"\nlisten = \"127.0.0.1:{port}\"\ncouncil = \"profile\"\n\
             public_adress = \"https://council.example\"\n"
        ),
    )
    .unwrap();
    let refused = run(&["--config", &file.display().to_string()], &deployment.0);
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains("council.toml")
            && said.contains("public_adress")
            && said.contains("public_url"),
        "the file, the key and what it may be: {said}"
    );
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err());
    assert!(
        !deployment.0.join("council.sqlite3").exists(),
        "nothing made"
    );

    let both = run(
        &[
            "--config",
            &file.display().to_string(),
            "--listen",
            "127.0.0.1:1",
        ],
        &deployment.0,
    );
    assert!(!both.status.success());
    assert!(
        String::from_utf8_lossy(&both.stderr).contains("cannot be used with"),
        "a flag beside the file is refused, not silently preferred"
    );
}
