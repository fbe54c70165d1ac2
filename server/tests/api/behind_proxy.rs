//! The README's nginx example, as written there, in front of three instances on one
//! PostgreSQL: a session made through the proxy works whichever instance answers, and
//! limits count each person under the address nginx saw, not the proxy's and not what the
//! client wrote into `X-Forwarded-For`.

use crate::crash::postgres_database_url;
use crate::helpers::{spawn_app_with, TestApp};
use serde_json::json;
use std::net::IpAddr;
use std::process::{Child, Command, Stdio};

/// The ```nginx block of the README.
fn readme_nginx_example() -> String {
    let readme = include_str!("../../../README.md");
    let start = readme
        .find("```nginx\n")
        .expect("README has an nginx example")
        + 9;
    let end = start + readme[start..].find("```").expect("end of the example");
    readme[start..end].to_string()
}

/// nginx running the README's example with its upstreams replaced by `apps`, listening
/// on `port`; stopped on drop.
struct Nginx {
    child: Child,
    _dir: tempfile::TempDir,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_nginx(apps: &[TestApp], port: u16) -> Nginx {
    let example = readme_nginx_example();
    let mut upstreams = apps
        .iter()
        .map(|app| format!("server {};", app.address.trim_start_matches("http://")));
    let config: String = example
        .lines()
        .map(|line| {
            let trimmed = line.trim();
            if trimmed.starts_with("server 10.0.0.") {
                format!("    {}", upstreams.next().expect("three upstreams"))
            } else if trimmed == "listen 80;" {
                format!("    listen 127.0.0.1:{port};")
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        upstreams.next().is_none(),
        "the example names three instances"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path().display();
    let main = format!(
        "daemon off;\nmaster_process off;\nworker_processes 1;\npid {d}/nginx.pid;\n\
         error_log {d}/error.log warn;\nevents {{}}\nhttp {{\n  access_log off;\n\
         client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n\
         fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n\
         scgi_temp_path {d}/scgi;\n{config}\n}}\n"
    );
    let path = dir.path().join("nginx.conf");
    std::fs::write(&path, main).expect("write config");
    let child = Command::new("/usr/sbin/nginx")
        .arg("-p")
        .arg(dir.path())
        .arg("-c")
        .arg(&path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("nginx (make test installs it)");
    Nginx { child, _dir: dir }
}

/// A cookie-keeping client connecting from loopback address `from`.
fn client_from(from: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .local_address(from.parse::<IpAddr>().expect("address"))
        .build()
        .expect("client")
}

async fn wait_until_up(base: &str) {
    for _ in 0..100 {
        if let Ok(r) = reqwest::get(format!("{base}/healthz")).await {
            if r.status().is_success() {
                return;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("nginx did not come up on {base}");
}

#[tokio::test]
async fn the_readme_nginx_example_serves_three_instances_and_limits_count_the_real_client() {
    let Some(url) = postgres_database_url().await else {
        return;
    };
    // nginx connects to the instances from 127.0.0.1; people come from 127.0.0.3/.4.
    let args = [
        "--database-url",
        &url,
        "--no-background-sync",
        "--trusted-proxies",
        "127.0.0.1",
        "--signups-per-hour",
        "2",
    ];
    let apps = [
        spawn_app_with(&args).await,
        spawn_app_with(&args).await,
        spawn_app_with(&args).await,
    ];
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let _nginx = start_nginx(&apps, port);
    let base = format!("http://127.0.0.1:{port}");
    wait_until_up(&base).await;

    // Each sign-up claims another address in X-Forwarded-For; nginx appends the real one.
    let mut statuses = Vec::new();
    let mut signed_in = None;
    for (i, forged) in ["198.51.100.1", "198.51.100.2", "198.51.100.3"]
        .iter()
        .enumerate()
    {
        let client = client_from("127.0.0.3");
        let response = client
            .post(format!("{base}/v1/auth/signup"))
            .header("x-forwarded-for", *forged)
            .json(&json!({"email": format!("p{i}@example.com"), "name": "Pat", "password": "long enough"}))
            .send()
            .await
            .expect("signup");
        statuses.push(response.status().as_u16());
        signed_in.get_or_insert(client);
    }
    assert_eq!(
        statuses,
        [201, 201, 429],
        "counted under 127.0.0.3, whatever it claimed"
    );
    let neighbour = client_from("127.0.0.4")
        .post(format!("{base}/v1/auth/signup"))
        .json(&json!({"email": "n@example.com", "name": "Nat", "password": "long enough"}))
        .send()
        .await
        .expect("signup");
    assert_eq!(
        neighbour.status(),
        201,
        "another person behind the same proxy"
    );

    // Round robin: six requests reach all three instances; the session holds on each.
    let client = signed_in.expect("a signed-in client");
    for _ in 0..6 {
        let mine = client
            .get(format!("{base}/v1/rooms"))
            .send()
            .await
            .expect("rooms");
        assert_eq!(mine.status(), 200);
    }
}
