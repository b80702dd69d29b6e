//! The MIME body (Typed Body §3.3.10, Multi-part Body §3.4.26, Forwarded MM Indication
//! §3.4.19), built once and shared by every copy.
//!
//! - text only → `text/plain`; html only → `text/html`; both → `multipart/alternative`;
//! - with attachments or forwarded messages → `multipart/mixed` (body first, then the
//!   attachments, then the forwarded messages, in request order);
//! - text: `charset=us-ascii` + `7bit` when possible, else `utf-8` + `quoted-printable`
//!   (RFC 2045 §6.7); attachments: `base64` (§6.8) with RFC 2231 file names;
//! - forwarded messages: `message/rfc822; forwarded=yes` (draft-melnikov-iana-reg-forwarded
//!   §2), `7bit` or `8bit` only (RFC 2046 §5.2.1 forbids other encodings there), line ends
//!   normalised to CRLF.

use base64::Engine as _;

use super::request::{Attachment, ComposeRequest, ForwardedMessage};
use super::validate::{self, header_text};
use super::{ComposeContext, Error};
use crate::mime::encode::{self, Headers, Part};
use crate::rng::CryptoRng;

/// Build the body entity.
pub(crate) fn build<R: CryptoRng + ?Sized>(
    req: &ComposeRequest,
    ctx: &ComposeContext,
    rng: &mut R,
) -> Result<Part, Error> {
    let count = req.attachments.len() + req.forwarded.len();
    if count > ctx.limits.max_attachments {
        return Err(Error::TooManyAttachments {
            count,
            max: ctx.limits.max_attachments,
        });
    }
    let mut budget = ctx.limits.max_message_bytes;
    let mut take = |n: usize| -> Result<(), Error> {
        budget = budget.checked_sub(n).ok_or(Error::MessageTooLarge {
            size: n,
            max: ctx.limits.max_message_bytes,
        })?;
        Ok(())
    };
    let text = req.body.text.as_deref();
    let html = req.body.html.as_deref();
    take(text.map_or(0, str::len) + html.map_or(0, str::len))?;
    let main = match (text, html) {
        (Some(t), Some(h)) => Part::multipart(
            "alternative",
            &[],
            vec![
                Part::text("plain", t, Headers::new()),
                Part::text("html", h, Headers::new()),
            ],
            rng,
        ),
        (None, Some(h)) => Part::text("html", h, Headers::new()),
        (Some(t), None) => Part::text("plain", t, Headers::new()),
        (None, None) => Part::text("plain", "", Headers::new()),
    };
    if count == 0 {
        return Ok(main);
    }
    let mut parts = vec![main];
    for a in &req.attachments {
        let (part, size) = attachment(a)?;
        take(size)?;
        parts.push(part);
    }
    for f in &req.forwarded {
        let (part, size) = forwarded(f)?;
        take(size)?;
        parts.push(part);
    }
    Ok(Part::multipart("mixed", &[], parts, rng))
}

fn decode_b64(field: &'static str, data: &str) -> Result<Vec<u8>, Error> {
    let compact: Vec<u8> = data.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(&compact)
        .map_err(|_| Error::Base64Invalid { field })
}

/// One attachment leaf.
fn attachment(a: &Attachment) -> Result<(Part, usize), Error> {
    let name = a.filename.as_str();
    let bad_name = || Error::FilenameInvalid(name.to_string());
    header_text("filename", name).map_err(|_| bad_name())?;
    if name.trim().is_empty()
        || name.chars().count() > 255
        || name.contains(['/', '\\'])
        || name == "."
        || name == ".."
    {
        return Err(bad_name());
    }
    let ct = match &a.content_type {
        Some(ct) => validate::attachment_content_type(ct)?,
        None => "application/octet-stream".to_string(),
    };
    let data = decode_b64("attachments.data", &a.data)?;
    let mut extra = Headers::new();
    let disposition = if a.inline { "inline" } else { "attachment" };
    extra.push(
        "Content-Disposition",
        format!("{disposition}{}", encode::param("filename", name)),
    );
    if let Some(cid) = &a.content_id {
        extra.push("Content-ID", validate::msg_id("contentId", cid)?);
    }
    if let Some(d) = &a.description {
        header_text("Content-Description", d)?;
        extra.push("Content-Description", encode::unstructured(d));
    }
    let size = data.len();
    let content_type = format!("{ct}{}", encode::param("name", name));
    Ok((Part::binary(content_type, &data, extra), size))
}

/// One forwarded message as `message/rfc822; forwarded=yes`.
fn forwarded(f: &ForwardedMessage) -> Result<(Part, usize), Error> {
    let data = decode_b64("forwarded.data", &f.data)?;
    if data.contains(&0) {
        return Err(Error::ForwardedInvalid("contains NUL octets".into()));
    }
    let norm = encode::normalize_crlf(&data);
    if encode::max_line_len(&norm) > encode::MAX_LINE {
        return Err(Error::ForwardedInvalid(
            "a line is longer than 998 octets".into(),
        ));
    }
    // It must be a message: a header section of well-formed fields (RFC 5322 §2.2, §3.6.8).
    let head = crate::mime::HeaderSection::parse(&norm)
        .map_err(|e| Error::ForwardedInvalid(format!("header section: {e}")))?;
    if head.fields.is_empty() {
        return Err(Error::ForwardedInvalid(
            "does not begin with a header field".into(),
        ));
    }
    if !head.defects.is_empty() {
        return Err(Error::ForwardedInvalid(format!(
            "{} malformed header line(s)",
            head.defects.len()
        )));
    }
    let cte = if norm.is_ascii() {
        encode::TransferEncoding::SevenBit
    } else {
        encode::TransferEncoding::EightBit
    };
    let mut headers = Headers::new();
    headers.push("Content-Type", "message/rfc822; forwarded=yes");
    headers.push("Content-Transfer-Encoding", cte.as_str());
    headers.push("Content-Disposition", "inline");
    if let Some(d) = &f.description {
        header_text("Content-Description", d)?;
        headers.push("Content-Description", encode::unstructured(d));
    }
    let size = norm.len();
    Ok((
        Part::Leaf {
            headers,
            body: norm,
        },
        size,
    ))
}
