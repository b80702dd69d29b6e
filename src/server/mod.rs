//! Native-only: the reference webmail (HTTP), its submission agent (SMTP) and mailbox store.
