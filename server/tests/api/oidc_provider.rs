//! A real OpenID provider for the sign-in tests: the npm package `oidc-provider`, started
//! by [`Provider::start`] from `end2end/oidc/provider.mjs` on a loopback port (`make test`
//! installs it), and a browser-like walk through its own login and consent pages.

use reqwest::header::LOCATION;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// A running provider; stopped on drop.
pub struct Provider {
    /// The `node` process.
    child: Child,
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A free loopback port.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port()
}

impl Provider {
    /// Starts the provider on `port` with roomcal's client sending people back to
    /// `redirect_uri`; ID tokens live `id_token_ttl` seconds. Waits until it listens.
    pub fn start(port: u16, redirect_uri: &str, id_token_ttl: u32) -> Provider {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../end2end/oidc/provider.mjs");
        let mut child = Command::new("node")
            .arg(script)
            .env("OIDC_PORT", port.to_string())
            .env("OIDC_REDIRECT_URIS", redirect_uri)
            .env("OIDC_ID_TOKEN_TTL", id_token_ttl.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node end2end/oidc/provider.mjs (make test installs oidc-provider)");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout);
        let mut ready = String::new();
        lines.read_line(&mut ready).expect("read");
        assert!(
            ready.starts_with("ready "),
            "the provider did not start: {ready:?}"
        );
        // Keep reading what it prints: a closed pipe would stop it at its next notice.
        std::thread::spawn(move || std::io::copy(&mut lines, &mut std::io::sink()));
        Provider { child }
    }
}

/// A client that keeps cookies and follows no redirects (each hop is looked at).
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// `location` made absolute against `base`.
fn absolute(base: &reqwest::Url, location: &str) -> reqwest::Url {
    base.join(location).expect("location")
}

/// The `action` of the form in `html`.
fn form_action(html: &str) -> Option<String> {
    let start = html.find("action=\"")? + 8;
    let end = start + html[start..].find('"')?;
    Some(html[start..end].replace("&amp;", "&"))
}

/// Follows `start` (roomcal's `/auth/oidc/login?…`) through the provider's pages as
/// `login` would, up to the moment the provider sends the browser back: returns that
/// callback URL, not yet opened.
pub async fn walk_to_callback(browser: &reqwest::Client, start: &str, login: &str) -> String {
    let mut url: reqwest::Url = start.parse().expect("url");
    let mut form: Option<Vec<(&str, String)>> = None;
    for _ in 0..20 {
        let response = match form.take() {
            Some(fields) => browser.post(url.clone()).form(&fields).send().await,
            None => browser.get(url.clone()).send().await,
        }
        .expect("request");
        if let Some(location) = response.headers().get(LOCATION) {
            let next = absolute(&url, location.to_str().expect("text"));
            if next.path() == "/auth/oidc/callback" {
                return next.to_string();
            }
            url = next;
            continue;
        }
        let status = response.status();
        let html = response.text().await.expect("body");
        let action = form_action(&html)
            .unwrap_or_else(|| panic!("no form on a {status} page at {url}: {html}"));
        url = absolute(&url, &action);
        form = Some(if html.contains("name=\"login\"") {
            vec![
                ("prompt", "login".to_string()),
                ("login", login.to_string()),
                ("password", "any".to_string()),
            ]
        } else {
            vec![("prompt", "consent".to_string())]
        });
    }
    panic!("the provider never sent the browser back");
}
