//! Certificate path validation (RFC 5280) against caller-supplied trust anchors at a
//! caller-supplied time.
