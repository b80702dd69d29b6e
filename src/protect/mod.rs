//! Header protection: the MMHS profile's wrapped form (message/rfc822; forwarded=no,
//! draft-melnikov-iana-reg-forwarded) and RFC 9788 injected headers; outer/inner comparison.
