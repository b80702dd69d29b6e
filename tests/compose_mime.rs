//! MIME structure and encodings: non-ASCII text (RFC 2047 / 2231 / quoted-printable),
//! alternative bodies, attachments, forwarded messages (message/rfc822; forwarded=yes),
//! every optional element of service — each produced copy parsed back with mail-parser.
#![cfg(not(target_arch = "wasm32"))]

use crate::support::compose::*;
use base64::Engine as _;
use mail_parser::MimeHeaders;
use mmhs::compose::compose;

fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

const FORWARDED: &str = "From: Hans <hans@bundeswehr.example>\n\
To: alice@army.example\n\
Subject: Lagebericht\n\
Message-ID: <orig-1@bundeswehr.example>\n\
MMHS-Extended-Authorisation-Info: Sun, 22 Nov 2026 08:00:00 +0100\n\
Content-Type: text/plain; charset=utf-8\n\
Content-Transfer-Encoding: 8bit\n\
\n\
Grüße aus dem Stab.\n";

#[test]
fn everything_parses_back() {
    let binary: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
    let req_json = serde_json::json!({
        "from": { "name": "Jürgen Müller", "address": "juergen@army.example" },
        "sender": { "name": "Signals Office", "address": "signals@army.example" },
        "replyTo": "ops@army.example",
        "to": [ { "name": "Smith, Bob", "address": "bob@navy.example" } ],
        "cc": [ { "name": "Zoë \"Z\" Ångström", "address": "zoe@airforce.example" } ],
        "subject": "Übung CANDLE FISH — Lage 0800Z, bitte bestätigen und weiterleiten an alle Einheiten",
        "primaryPrecedence": 3,
        "copyPrecedence": "2",
        "messageType": "operation",
        "expires": "2026-11-30T12:00:00Z",
        "supersedes": ["<old-1@army.example>", "old-2@army.example"],
        "inReplyTo": ["prev@navy.example"],
        "references": ["<root@navy.example>", "prev@navy.example"],
        "subjectIndicatorCodes": ["SDM", "KKZ", "BRL"],
        "handlingInstructions": ["RXFPA ZOV MINDEF"],
        "messageInstructions": ["MINIMIZE CONSIDERED", "NO DISTRIBUTION"],
        "originatorReference": "IMSCOM-JIC-612-78",
        "codressMessageIndicator": 23,
        "otherRecipientsIndicatorTo": ["UK SHL COS", "UK SHL IM"],
        "otherRecipientsIndicatorCc": ["UK SHL LEGAD"],
        "originatorPlad": "SACLANT",
        "acp127MessageIdentifier": "RPDLE 1234 0341215",
        "exemptedAddresses": ["exempt@army.example"],
        "authorizingUsers": [ { "name": "Col. Release", "address": "releaser@army.example" } ],
        "receiptNotification": true,
        "notify": ["success", "failure"],
        "ret": "hdrs",
        "envid": "QQ314159",
        "deferredDelivery": "2026-11-23T14:00:00+01:00",
        "latestDelivery": "2026-11-23T14:00:00Z",
        "latestDeliveryMode": "notify",
        "latestDeliveryTrace": true,
        "language": ["de", "en-GB"],
        "autoforwarded": false,
        "incompleteCopy": true,
        "conversion": "prohibited",
        "conversionWithLoss": "prohibited",
        "originalEncodedInformationTypes": ["IA5-Text"],
        "body": { "text": "Grüße,\nLage unverändert.  \nFrom here on: all quiet.\n",
                  "html": "<p>Grüße</p>" },
        "attachments": [
            { "filename": "Übersicht Lage 2026-11-23 — sehr langer Dateiname für RFC 2231.pdf",
              "contentType": "application/pdf", "data": b64(&binary) },
            { "filename": "notes.txt", "contentType": "text/plain", "data": b64(b"plain notes\r\n"),
              "inline": true, "description": "Notizen für später" }
        ],
        "forwarded": [ { "data": b64(FORWARDED.as_bytes()), "description": "Lagebericht" } ]
    });
    let req = request(&req_json.to_string());
    let out = compose(&req, &ctx(), &mut TestRng(42)).expect("composes");
    assert_eq!(out.len(), 1);
    let m = &out[0];
    assert_wellformed_lines(&m.raw);
    let raw = &m.raw;
    // header section is 7-bit; the forwarded 8-bit message needs 8BITMIME
    let head_end = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    assert!(raw[..head_end].is_ascii());
    assert!(m.envelope.mail_params.eight_bit_mime);
    for line in raw[..head_end].split(|&b| b == b'\n') {
        assert!(line.len() <= 79, "{}", String::from_utf8_lossy(line));
    }

    let p = parse(raw);
    assert_eq!(
        p.subject(),
        Some("Übung CANDLE FISH — Lage 0800Z, bitte bestätigen und weiterleiten an alle Einheiten")
    );
    let from = p.from().unwrap().first().unwrap();
    assert_eq!(from.name(), Some("Jürgen Müller"));
    assert_eq!(from.address(), Some("juergen@army.example"));
    assert_eq!(
        p.sender().unwrap().first().unwrap().address(),
        Some("signals@army.example")
    );
    let to = p.to().unwrap().first().unwrap();
    assert_eq!(to.name(), Some("Smith, Bob"));
    let cc = p.cc().unwrap().first().unwrap();
    assert_eq!(cc.name(), Some("Zoë \"Z\" Ångström"));
    assert_eq!(
        p.reply_to().unwrap().first().unwrap().address(),
        Some("ops@army.example")
    );
    assert_eq!(p.in_reply_to().as_text(), Some("prev@navy.example"));
    assert_eq!(p.references().as_text_list().map(|l| l.len()), Some(2),);

    // MMHS and RFC 2156 fields as written
    let f = |n: &str| field(raw, n);
    assert_eq!(f("MMHS-Primary-Precedence").as_deref(), Some("immediate"));
    assert_eq!(f("MMHS-Copy-Precedence").as_deref(), Some("priority"));
    assert_eq!(f("MT-Priority").as_deref(), Some("2"));
    assert_eq!(f("MMHS-Message-Type").as_deref(), Some("operation"));
    assert_eq!(
        f("MMHS-Subject-Indicator-Codes").as_deref(),
        Some("SDM; KKZ; BRL")
    );
    assert_eq!(
        f("MMHS-Handling-Instructions").as_deref(),
        Some("RXFPA ZOV MINDEF")
    );
    assert_eq!(
        f("MMHS-Message-Instructions").as_deref(),
        Some("MINIMIZE CONSIDERED; NO DISTRIBUTION")
    );
    assert_eq!(
        f("MMHS-Originator-Reference").as_deref(),
        Some("IMSCOM-JIC-612-78")
    );
    assert_eq!(f("MMHS-Codress-Message-Indicator").as_deref(), Some("23"));
    assert_eq!(
        f("MMHS-Other-Recipients-Indicator-To").as_deref(),
        Some("UK SHL COS; UK SHL IM")
    );
    assert_eq!(
        f("MMHS-Other-Recipients-Indicator-CC").as_deref(),
        Some("UK SHL LEGAD")
    );
    assert_eq!(f("MMHS-Originator-PLAD").as_deref(), Some("SACLANT"));
    assert_eq!(
        f("MMHS-Acp127-Message-Identifier").as_deref(),
        Some("RPDLE 1234 0341215")
    );
    assert_eq!(
        f("MMHS-Exempted-Address").as_deref(),
        Some("exempt@army.example")
    );
    assert_eq!(
        f("MMHS-Authorizing-Users").as_deref(),
        Some("\"Col. Release\" <releaser@army.example>")
    );
    assert_eq!(
        f("MMHS-Extended-Authorisation-Info").as_deref(),
        Some("Mon, 23 Nov 2026 12:00:00 +0000")
    );
    assert_eq!(
        f("Expires").as_deref(),
        Some("Mon, 30 Nov 2026 12:00:00 +0000")
    );
    assert_eq!(
        f("Supersedes").as_deref(),
        Some("<old-1@army.example> <old-2@army.example>")
    );
    assert_eq!(f("Incomplete-Copy").as_deref(), Some(""));
    assert_eq!(f("Autoforwarded"), None);
    assert_eq!(f("Conversion").as_deref(), Some("Prohibited"));
    assert_eq!(f("Conversion-With-Loss").as_deref(), Some("Prohibited"));
    assert_eq!(
        f("Original-Encoded-Information-Types").as_deref(),
        Some("IA5-Text")
    );
    assert_eq!(
        f("Disposition-Notification-To").as_deref(),
        Some("=?utf-8?B?SsO8cmdlbiBNw7xsbGVy?= <juergen@army.example>")
    );
    assert_eq!(f("Content-Language").as_deref(), Some("de, en-GB"));

    // envelope
    let env = &m.envelope;
    assert_eq!(env.mail_from, "signals@army.example");
    assert_eq!(
        env.mail_params.hold_until.as_deref(),
        Some("2026-11-23T13:00:00Z")
    );
    let mf = env.mail_from_line();
    assert!(
        mf.ends_with(" BODY=8BITMIME RET=HDRS ENVID=QQ314159 MT-PRIORITY=2 BY=7200;NT HOLDUNTIL=2026-11-23T13:00:00Z"),
        "{mf}"
    );
    assert_eq!(
        env.rcpt_lines()[0],
        "RCPT TO:<bob@navy.example> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob@navy.example"
    );

    // body structure: mixed[ alternative[plain, html], pdf, txt, message/rfc822 ]
    assert_eq!(
        p.body_text(0).as_deref(),
        Some("Grüße,\r\nLage unverändert.  \r\nFrom here on: all quiet.\r\n")
    );
    assert_eq!(p.body_html(0).as_deref(), Some("<p>Grüße</p>\r\n"));
    let atts: Vec<_> = p.attachments().collect();
    assert_eq!(atts.len(), 3, "pdf, txt, forwarded");
    assert_eq!(
        atts[0].attachment_name(),
        Some("Übersicht Lage 2026-11-23 — sehr langer Dateiname für RFC 2231.pdf")
    );
    assert_eq!(atts[0].contents(), &binary[..]);
    assert_eq!(atts[1].attachment_name(), Some("notes.txt"));
    assert_eq!(atts[1].contents(), b"plain notes\r\n");
    assert_eq!(
        atts[1].content_disposition().map(|d| d.ctype()),
        Some("inline")
    );
    let fwd = atts[2];
    let ct = fwd.content_type().unwrap();
    assert_eq!((ct.ctype(), ct.subtype()), ("message", Some("rfc822")));
    assert_eq!(ct.attribute("forwarded"), Some("yes"));
    let inner = fwd.message().expect("forwarded message parsed");
    assert_eq!(inner.subject(), Some("Lagebericht"));
    assert_eq!(inner.message_id(), Some("orig-1@bundeswehr.example"));
    assert_eq!(
        inner.body_text(0).as_deref(),
        Some("Grüße aus dem Stab.\r\n")
    );

    // the text part went out quoted-printable (non-ASCII, trailing space, "From " line)
    let text = String::from_utf8_lossy(raw);
    assert!(text.contains(
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable"
    ));
    assert!(text.contains("unver=C3=A4ndert. =20\r\n=46rom here on"));
    assert!(text.contains("filename*0*=utf-8''%C3%9Cbersicht"));
}

#[test]
fn sender_rules() {
    let base = |extra: &str| {
        request(&format!(
            r#"{{ "from": "alice@army.example", "to": ["b@x.example"], "primaryPrecedence": 1 {extra} }}"#
        ))
    };
    let one = |extra: &str| {
        compose(&base(extra), &ctx(), &mut TestRng(1))
            .unwrap()
            .remove(0)
    };
    // same as From → no Sender
    assert_eq!(
        field(&one(r#", "sender": "ALICE@army.example""#).raw, "Sender"),
        None
    );
    // differs → Sender, and MAIL FROM is the Sender
    let m = one(r#", "sender": "clerk@army.example""#);
    assert_eq!(
        field(&m.raw, "Sender").as_deref(),
        Some("clerk@army.example")
    );
    assert_eq!(m.envelope.mail_from, "clerk@army.example");
    // authorizing users → Sender present even without one given (profile §3.4.3)
    let m = one(r#", "authorizingUsers": ["boss@army.example"]"#);
    assert_eq!(
        field(&m.raw, "Sender").as_deref(),
        Some("alice@army.example")
    );
    assert_eq!(
        field(&m.raw, "MMHS-Authorizing-Users").as_deref(),
        Some("boss@army.example")
    );
    // several From → Sender required and written
    let req = request(
        r#"{ "from": ["a@army.example", "b@army.example"], "sender": "a@army.example",
             "to": ["b@x.example"], "primaryPrecedence": 1 }"#,
    );
    let m = compose(&req, &ctx(), &mut TestRng(1)).unwrap().remove(0);
    assert_eq!(field(&m.raw, "Sender").as_deref(), Some("a@army.example"));
    assert_eq!(
        field(&m.raw, "From").as_deref(),
        Some("a@army.example, b@army.example")
    );
}

#[test]
fn given_message_id_and_national_precedence() {
    let req = request(
        r#"{ "from": "alice@army.example", "to": ["b@x.example"], "bcc": ["c@x.example"],
             "primaryPrecedence": "17", "copyPrecedence": 0,
             "messageId": "draft-77@army.example" }"#,
    );
    let out = compose(&req, &ctx(), &mut TestRng(1)).unwrap();
    assert_eq!(out.len(), 2);
    for m in &out {
        assert_eq!(
            field(&m.raw, "Message-ID").as_deref(),
            Some("<draft-77@army.example>")
        );
        assert_eq!(
            field(&m.raw, "MMHS-Primary-Precedence").as_deref(),
            Some("17")
        );
        parse(&m.raw);
    }
    assert_eq!(
        field(&out[1].raw, "MMHS-Copy-Precedence").as_deref(),
        Some("deferred")
    );
}

#[test]
fn bcc_only_message() {
    let req = request(
        r#"{ "from": "alice@army.example", "bcc": ["b@x.example", "c@x.example"],
             "copyPrecedence": "flash", "subject": "blind" }"#,
    );
    let out = compose(&req, &ctx(), &mut TestRng(9)).unwrap();
    assert_eq!(out.len(), 2);
    for (m, who) in out.iter().zip(["b@x.example", "c@x.example"]) {
        assert_eq!(field(&m.raw, "To"), None);
        assert_eq!(field(&m.raw, "Cc"), None);
        assert_eq!(field(&m.raw, "Bcc").as_deref(), Some(who));
        assert_eq!(field(&m.raw, "MMHS-Primary-Precedence"), None);
        assert_eq!(
            field(&m.raw, "MMHS-Copy-Precedence").as_deref(),
            Some("flash")
        );
        assert_eq!(field(&m.raw, "MT-Priority").as_deref(), Some("4"));
        parse(&m.raw);
    }
}
