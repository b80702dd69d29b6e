//! Webmail tests: login, JSON API send → real SMTP submission → recipient's Inbox; the
//! officer's release flow; the HTML pages.
#![cfg(not(target_arch = "wasm32"))]

use crate::support::server::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_and_send_via_json_api() {
    let (srv, _d) = start("web", 100_000, None).await;
    let addr = srv.http_addr;
    // Bad password / no session.
    let r = api_login_response(addr, "alice@army.example", "nope").await;
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["code"], "auth-failed");
    let r = http(addr, "GET", "/api/folders", &[], None).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["code"], "auth-required");

    let alice = api_login(addr, "alice@army.example", "alice-demo").await;
    let raw = plain_message("alice@army.example", "bob@navy.example", "api-send", "");
    let req = serde_json::json!({
        "raw": base64::Engine::encode(&base64::engine::general_purpose::STANDARD, raw.as_bytes()),
        "encoding": "base64",
        "envelope": {
            "mailFrom": "alice@army.example",
            "mailParams": {"envid": "E1", "ret": "HDRS", "mtPriority": 2, "by": "3600;N"},
            "rcpts": [{"address": "bob@navy.example", "notify": ["SUCCESS"], "orcpt": "rfc822;bob@navy.example"}]
        }
    });
    let r = api_post(addr, &alice, "/api/send", &req).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let j = r.json();
    assert_eq!(j["accepted"], serde_json::json!(["bob@navy.example"]));
    assert_eq!(j["reply"]["code"], 250);

    // The envelope exactly as compose (core / extension) serialises it: lowercase keywords,
    // DeliverBy object with mode names and an absolute deadline.
    let deadline = (time::OffsetDateTime::now_utc() + time::Duration::hours(2))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let compose_env = serde_json::json!({
        "mailFrom": "alice@army.example",
        "mailParams": {
            "envid": "E2", "ret": "hdrs", "mtPriority": 2, "eightBitMime": false, "size": raw.len(),
            "by": {"seconds": 60, "mode": "return", "trace": false, "deadline": deadline}
        },
        "rcpts": [{"address": "bob@navy.example", "notify": ["success", "failure"], "orcpt": "rfc822;bob@navy.example"}]
    });
    let r = api_post(
        addr,
        &alice,
        "/api/send",
        &serde_json::json!({"raw": raw, "envelope": compose_env}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());

    // Bad envelope is refused with a code.
    let bad = serde_json::json!({"raw": raw, "envelope": {"mailFrom": "alice@army.example", "mailParams": {"mtPriority": 12}, "rcpts": [{"address": "bob@navy.example"}]}});
    let r = api_post(addr, &alice, "/api/send", &bad).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["code"], "envelope-invalid");
    // SMTP refusal is surfaced: unknown local user.
    let unk = serde_json::json!({"raw": raw, "envelope": {"mailFrom": "alice@army.example", "rcpts": [{"address": "nobody@navy.example"}]}});
    let r = api_post(addr, &alice, "/api/send", &unk).await;
    assert_eq!(r.status, 422, "{}", r.text());
    assert_eq!(r.json()["code"], "smtp-rejected");
    assert_eq!(r.json()["smtpReply"]["enhanced"], "5.1.1");

    // Bob sees it.
    let bob = api_login(addr, "bob@navy.example", "bob-demo").await;
    let f = api_get(addr, &bob, "/api/folders").await.json();
    assert_eq!(f["folders"][0]["name"], "Inbox");
    assert_eq!(f["folders"][0]["count"], 2, "both sends delivered");
    assert!(
        f["folders"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["name"] != "Release"),
        "not an officer"
    );
    let list = api_get(addr, &bob, "/api/folders/Inbox/messages")
        .await
        .json();
    let m = &list["messages"][0];
    assert_eq!(m["subject"], "api-send");
    let id = m["id"].as_i64().unwrap();
    let rawr = api_get(addr, &bob, &format!("/api/messages/{id}/raw")).await;
    assert_eq!(rawr.status, 200);
    assert_eq!(rawr.header("content-type"), Some("message/rfc822"));
    let got = rawr.text();
    assert!(
        got.starts_with("Authentication-Results: ") && got.contains("\r\nReceived: "),
        "DKIM results and trace field added"
    );
    assert!(
        got.ends_with(&raw),
        "message bytes unchanged after the trace field"
    );
    // Alice cannot read Bob's message.
    assert_eq!(
        api_get(addr, &alice, &format!("/api/messages/{id}/raw"))
            .await
            .status,
        404
    );
    // Alice: copy in Sent, DSN in Inbox.
    let sent = api_get(addr, &alice, "/api/folders/Sent/messages")
        .await
        .json();
    assert_eq!(sent["messages"][0]["subject"], "api-send");
    let inbox = api_get(addr, &alice, "/api/folders/Inbox/messages")
        .await
        .json();
    assert!(inbox["messages"][0]["subject"]
        .as_str()
        .unwrap()
        .starts_with("Delivery Status Notification"));
    // Move and delete.
    let r = api_post(
        addr,
        &bob,
        &format!("/api/messages/{id}/move"),
        &serde_json::json!({"folder": "Archive"}),
    )
    .await;
    assert_eq!(r.status, 204);
    let list = api_get(addr, &bob, "/api/folders/Archive/messages")
        .await
        .json();
    assert_eq!(list["messages"].as_array().unwrap().len(), 1);
    let auth = format!("Bearer {bob}");
    let r = http(
        addr,
        "DELETE",
        &format!("/api/messages/{id}"),
        &[("Authorization", &auth)],
        None,
    )
    .await;
    assert_eq!(r.status, 204);
    assert_eq!(
        api_get(addr, &bob, &format!("/api/messages/{id}"))
            .await
            .status,
        404
    );
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn release_queue_flow_through_the_api() {
    let (srv, _d) = start("release", 100_000, None).await;
    let addr = srv.http_addr;
    let alice = api_login(addr, "alice@army.example", "alice-demo").await;
    let raw = plain_message(
        "alice@army.example",
        "bob@navy.example",
        "needs-release",
        "MMHS-Primary-Precedence: 4 (flash)\r\nSender: alice@army.example\r\n",
    );
    let env = serde_json::json!({
        "mailFrom": "alice@army.example",
        "mailParams": {"mtPriority": 4, "by": "3600;N"},
        "rcpts": [{"address": "bob@navy.example", "notify": "SUCCESS"}]
    });
    let submitted = time::OffsetDateTime::now_utc().unix_timestamp();
    let r = api_post(
        addr,
        &alice,
        "/api/send",
        &serde_json::json!({"raw": raw, "envelope": env}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let bob = api_login(addr, "bob@navy.example", "bob-demo").await;
    assert_eq!(
        api_get(addr, &bob, "/api/folders/Inbox/messages")
            .await
            .json()["messages"]
            .as_array()
            .unwrap()
            .len(),
        0
    );

    // The officer finds it in the Release queue, with the envelope to re-submit.
    let officer = api_login(addr, "officer@army.example", "officer-demo").await;
    let f = api_get(addr, &officer, "/api/folders").await.json();
    assert!(f["folders"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["name"] == "Release" && x["count"] == 1));
    let q = api_get(addr, &officer, "/api/folders/Release/messages")
        .await
        .json();
    let item = &q["messages"][0];
    assert_eq!(item["primaryPrecedence"], "4 (flash)");
    // Its handling priority (FLASH: 4) and its DELIVERBY deadline (RFC 2852: arrival + 3600 s).
    assert_eq!(item["priority"], 4);
    let deadline = time::OffsetDateTime::parse(
        item["deadline"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap()
    .unix_timestamp();
    assert!(
        (submitted + 3590..=submitted + 3610).contains(&deadline),
        "{deadline}"
    );
    // The officer's HTML view shows submission time and deadline.
    let cookie = html_login(addr, "officer@army.example", "officer-demo").await;
    let page = http(addr, "GET", "/folder/Release", &[("Cookie", &cookie)], None)
        .await
        .text();
    assert!(
        page.contains("<th scope=\"col\">Submitted</th><th scope=\"col\">Deadline</th>"),
        "{page}"
    );
    assert!(page.contains(item["deadline"].as_str().unwrap()), "{page}");
    assert!(!page.contains("(passed)"), "{page}");
    let env = item["envelope"].clone();
    assert_eq!(env["mailFrom"], "alice@army.example");
    // A listing without a countersignature proves nothing: submitted by the officer with
    // alice's From, it is refused — he owns that From only for a draft whose authorisation by
    // him verifies (the real release is in tests/server_release.rs).
    let unsigned = plain_message(
        "alice@army.example",
        "bob@navy.example",
        "needs-release",
        "MMHS-Primary-Precedence: 4 (flash)\r\nSender: alice@army.example\r\nMMHS-Authorizing-Users: officer@army.example\r\n",
    );
    let r = api_post(
        addr,
        &officer,
        "/api/send",
        &serde_json::json!({"raw": unsigned, "envelope": env}),
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.text());
    assert!(r.text().contains("gate-from-not-owned"), "{}", r.text());
    let id = item["id"].as_i64().unwrap();
    let auth = format!("Bearer {officer}");
    assert_eq!(
        http(
            addr,
            "DELETE",
            &format!("/api/messages/{id}"),
            &[("Authorization", &auth)],
            None
        )
        .await
        .status,
        204
    );
    assert_eq!(
        api_get(addr, &bob, "/api/folders/Inbox/messages")
            .await
            .json()["messages"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let q = api_get(addr, &officer, "/api/folders/Release/messages")
        .await
        .json();
    assert!(q["messages"].as_array().unwrap().is_empty(), "{q}");
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn html_login_compose_and_read() {
    let (srv, _d) = start("html", 100_000, None).await;
    let addr = srv.http_addr;
    let r = http(addr, "GET", "/", &[], None).await;
    assert_eq!(r.status, 303);
    let r = http(addr, "GET", "/login", &[], None).await;
    assert_eq!(r.status, 200);
    assert!(r.text().contains("<label for=\"address\">"));
    let r = html_login_response(addr, "alice@army.example", "alice-demo", &[]).await;
    assert_eq!(r.status, 303, "{}", r.text());
    let cookie = cookie_pair(&r);
    assert!(r.header("set-cookie").unwrap().contains("HttpOnly"));
    let page = http(addr, "GET", "/compose", &[("Cookie", &cookie)], None).await;
    let csrf = csrf_of(&page.text());
    let compose = format!(
        "to=bob%40navy.example&cc=&subject=Hello+%3Cb%3E&body=Line+1%0D%0A.dot+line&csrf={csrf}"
    );
    let compose = compose.as_bytes();
    let r = http(
        addr,
        "POST",
        "/compose",
        &[("Cookie", &cookie)],
        Some(("application/x-www-form-urlencoded", compose)),
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.text());
    let r = http(addr, "GET", "/folder/Sent", &[("Cookie", &cookie)], None).await;
    assert!(r.text().contains("Hello &lt;b&gt;"), "escaped subject");
    // Bob reads it in HTML.
    let bob_cookie = html_login(addr, "bob@navy.example", "bob-demo").await;
    let list = srv.agent.store.list("bob@navy.example", "Inbox").unwrap();
    let id = list[0].id;
    let r = http(
        addr,
        "GET",
        &format!("/message/{id}"),
        &[("Cookie", &bob_cookie)],
        None,
    )
    .await;
    assert_eq!(r.status, 200);
    let page = r.text();
    assert!(page.contains(&format!("data-raw-url=\"/api/messages/{id}/raw\"")));
    assert!(page.contains(".dot line"), "dot-stuffing undone");
    let r = http(addr, "GET", "/folder/Inbox", &[("Cookie", &cookie)], None).await;
    assert!(
        r.text().contains("No messages"),
        "alice's inbox is empty: {}",
        r.text()
    );
    srv.shutdown().await;
}
