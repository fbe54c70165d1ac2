//! Unit tests of the fetcher's pure parts (headers, charset, caps, hop checks).
use super::*;

#[test]
fn the_charset_is_read_from_the_content_type() {
    assert_eq!(
        charset_of("text/calendar; charset=\"ISO-8859-1\""),
        Some("ISO-8859-1".into())
    );
    assert_eq!(
        charset_of("text/calendar;charset=utf-8"),
        Some("utf-8".into())
    );
    assert_eq!(charset_of("text/calendar"), None);
}

#[test]
fn office_365_gets_a_browser_user_agent_and_others_the_product_one() {
    let outlook =
        Url::parse("https://outlook.office365.com/owa/calendar/x/calendar.ics").expect("url");
    let google = Url::parse("https://calendar.google.com/x/basic.ics").expect("url");
    let ua = |u: &Url| request_headers(u, &Validators::default())[header::USER_AGENT].clone();
    assert!(ua(&outlook)
        .to_str()
        .unwrap_or("")
        .starts_with("Mozilla/5.0"));
    assert!(ua(&google).to_str().unwrap_or("").starts_with("roomcal/"));
}

#[test]
fn validators_become_conditional_headers() {
    let url = Url::parse("https://example.com/a.ics").expect("url");
    let headers = request_headers(
        &url,
        &Validators {
            etag: Some("\"v1\"".into()),
            last_modified: Some("Wed, 21 Oct 2015 07:28:00 GMT".into()),
        },
    );
    assert_eq!(headers[header::IF_NONE_MATCH], "\"v1\"");
    assert!(headers.contains_key(header::IF_MODIFIED_SINCE));
}

#[test]
fn a_gzip_bomb_is_stopped_at_the_cap() {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder
        .write_all(&vec![b'A'; 5 * 1024 * 1024])
        .expect("write");
    let bomb = encoder.finish().expect("finish");
    assert!(bomb.len() < 64 * 1024);
    let err = gunzip_capped(&bomb, 1024 * 1024).expect_err("too large");
    assert!(err.message.contains("limit"));
}

#[test]
fn ip_literal_hops_are_checked_before_connecting() {
    let fetcher = Fetcher::new(FetchSettings::default()).expect("fetcher");
    for url in [
        "https://127.0.0.1/cal.ics",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/cal.ics",
        "https://[::ffff:10.0.0.1]/cal.ics",
    ] {
        let err = fetcher
            .check_hop(&Url::parse(url).expect("url"))
            .expect_err(url);
        assert!(
            err.message.contains("private or local"),
            "{url}: {}",
            err.message
        );
    }
    assert!(fetcher
        .check_hop(&Url::parse("http://example.com/a.ics").expect("url"))
        .is_err());
    assert!(fetcher
        .check_hop(&Url::parse("https://8.8.8.8/a.ics").expect("url"))
        .is_ok());
}
