//! Relaying to a real MTA given as an `smtp://` / `submit://` URI ([`crate::domain::uri`]).
//!
//! Non-local recipients are queued and handed to the next hop by the queue worker
//! ([`super::agent::Agent::run_queue_once`]) with the SMTP client
//! ([`super::smtp::client::send`]): MT-PRIORITY passed on as received when the next hop
//! advertises it, otherwise tunnelled in one `MT-Priority:` header field (RFC 6758 §4); DSN
//! parameters passed on when it advertises DSN, otherwise a "relayed" DSN is returned for
//! NOTIFY=SUCCESS (RFC 3461 §6.2.4); BY passed on with the remaining time (RFC 2852 §4);
//! transient failures retried with back-off (8 attempts), permanent ones answered with a
//! failure DSN.
