<?php

/**
 * MMHS transport for Roundcube: submits a finished message (signed / encrypted by the MMHS
 * browser extension) UNCHANGED through Roundcube's own SMTP connection, with the SMTP envelope
 * the message was composed for, and saves the copy in Sent over IMAP.
 *
 * Roundcube has no "send these exact bytes" API: its compose path (rcmail_sendmail) rebuilds
 * the message with Mail_mime, and rcube_smtp::send_mail() can only ask for RET=HDRS and
 * NOTIFY=SUCCESS,FAILURE for every recipient at once. This plugin therefore opens the connection
 * with rcube_smtp::connect() (Roundcube's smtp_host / smtp_user / TLS configuration and its
 * smtp_connect hook) and drives that connection's MAIL / RCPT / DATA itself, with the envelope's
 * own parameters. See README.md for the HTTP contract and the parameters carried.
 *
 * Actions (task "mail"):
 *   POST ?_task=mail&_action=plugin.mmhs-send   JSON { raw (base64), envelope } → JSON result
 *   Raw messages are read with Roundcube's own endpoint:
 *   GET  ?_task=mail&_action=viewsource&_uid=UID&_mbox=MBOX&_save=1&_token=TOKEN
 *
 * @license GNU GPLv3+ (as Roundcube's plugin API; see README.md)
 */
class mmhs extends rcube_plugin
{
    public $task = 'mail';

    /** Upper bound of a message, bytes, unless the configuration lowers it (RFC 5321 §4.5.3.1.7 leaves the limit to the server). */
    const DEFAULT_MAX_MESSAGE = 26214400; // 25 MiB

    /** Envelope bounds: recipients per message and characters per address (RFC 5321 §4.5.3.1.3: path ≤ 256 octets). */
    const MAX_RCPTS = 500;
    const MAX_PATH = 256;

    /** @var rcmail */
    private $rc;

    public function init()
    {
        $this->rc = rcmail::get_instance();
        $this->load_config();
        $this->register_action('plugin.mmhs-send', [$this, 'send']);
        $this->add_hook('render_page', [$this, 'render_page']);
    }

    /**
     * Marks the page for the extension's Roundcube adapter: the request token the adapter puts in
     * X-Roundcube-Request (the token Roundcube's own scripts send) and the logged-in address.
     */
    public function render_page($args)
    {
        if (empty($this->rc->user->ID) || empty($args['content']) || !is_string($args['content'])) {
            return $args;
        }
        $meta = html::tag('meta', [
            'name'      => 'mmhs-roundcube',
            'content'   => $this->rc->get_request_token(),
            'data-user' => (string) $this->rc->get_user_email(),
            'data-send' => 'plugin.mmhs-send',
        ]);
        $pos = stripos($args['content'], '</head>');
        if ($pos !== false) {
            $args['content'] = substr_replace($args['content'], $meta . "\n", $pos, 0);
        }
        return $args;
    }

    /** POST plugin.mmhs-send */
    public function send()
    {
        [$raw, $env] = $this->read_request();
        $this->check_limits($env);
        // The reverse-path is one of the user's own addresses (as Roundcube's compose allows:
        // its identities), or null for notifications (RFC 8098 §3 MDN, RFC 3464 DSN).
        if ($env['mailFrom'] !== '' && !$this->own_address($env['mailFrom'])) {
            $this->reply(403, 'envelope-sender-not-own', 'The reverse-path is not one of your identities.');
        }
        $this->submit($raw, $env);
    }

    /**
     * The request, checked in the order an attacker meets the checks: method, CSRF token, type,
     * size (read with a bound), shape, the message bytes, the envelope. Answers and exits on
     * the first failure; returns [raw message, envelope].
     */
    private function read_request()
    {
        $max = (int) $this->rc->config->get('mmhs_max_message_size', self::DEFAULT_MAX_MESSAGE);
        if ($max <= 0) {
            $max = self::DEFAULT_MAX_MESSAGE;
        }
        if (($_SERVER['REQUEST_METHOD'] ?? '') !== 'POST') {
            $this->reply(405, 'method-not-allowed', 'Only POST is accepted.');
        }
        // CSRF (Roundcube's request token, compared in constant time). Roundcube's own
        // check_request() passes a POST with an empty $_POST (a JSON body), so it is checked here.
        $token = rcube_utils::request_header('X-Roundcube-Request');
        if (!is_string($token) || $token === '' || !hash_equals($this->rc->get_request_token(), $token)) {
            $this->reply(403, 'csrf-token-invalid', 'The request token is missing or wrong.');
        }
        $ctype = strtolower(trim(explode(';', (string) ($_SERVER['CONTENT_TYPE'] ?? ''))[0]));
        if ($ctype !== 'application/json') {
            $this->reply(415, 'bad-request', 'The body must be application/json.');
        }
        // Base64 of the largest message plus room for the envelope.
        $limit = intdiv($max + 2, 3) * 4 + 262144;
        $in = (int) ($_SERVER['CONTENT_LENGTH'] ?? 0) <= $limit ? fopen('php://input', 'rb') : false;
        $body = $in ? stream_get_contents($in, $limit + 1) : false;
        if (!is_string($body) || strlen($body) > $limit) {
            $this->reply(413, 'message-too-large', "The request exceeds $limit bytes.");
        }
        $req = json_decode($body, true, 16);
        unset($body);
        if (!is_array($req) || !isset($req['raw'], $req['envelope']) || !is_string($req['raw'])) {
            $this->reply(400, 'bad-request', 'Expected { raw, envelope }.');
        }
        $raw = base64_decode($req['raw'], true);
        if (!is_string($raw) || $raw === '') {
            $this->reply(400, 'raw-invalid', 'raw is not base64.');
        }
        if (strlen($raw) > $max) {
            $this->reply(413, 'message-too-large', "The message exceeds $max bytes.");
        }
        $why = mmhs_envelope::raw_problem($raw);
        if ($why !== null) {
            $this->reply(400, 'raw-invalid', $why);
        }
        try {
            $env = mmhs_envelope::parse($req['envelope'], self::MAX_RCPTS, self::MAX_PATH);
        } catch (InvalidArgumentException $e) {
            $this->reply(400, 'envelope-invalid', $e->getMessage());
        }
        return [$raw, $env];
    }

    /** Roundcube's own sending limits (rcmail_sendmail): max_recipients, sendmail_delay. */
    private function check_limits(array $env)
    {
        $max_rcpts = (int) $this->rc->config->get('max_recipients');
        if ($max_rcpts > 0 && count($env['rcpts']) > $max_rcpts) {
            $this->reply(400, 'envelope-invalid', "More than $max_rcpts recipients (max_recipients).");
        }
        $delay = (int) $this->rc->config->get('sendmail_delay');
        $wait = $delay - (time() - (int) $this->rc->config->get('last_message_time'));
        if ($delay > 0 && $wait > 0) {
            header('Retry-After: ' . $wait);
            $this->reply(429, 'sent-too-quickly', "Wait $wait s before sending again (sendmail_delay).");
        }
    }

    private function own_address($addr)
    {
        $own = [strtolower((string) $this->rc->get_user_email())];
        foreach ((array) $this->rc->user->list_emails() as $ident) {
            if (!empty($ident['email'])) {
                $own[] = strtolower(rcube_utils::idn_to_ascii($ident['email']));
            }
        }
        return in_array(strtolower($addr), $own, true);
    }

    /** The transaction on Roundcube's SMTP connection, then the copy in Sent. */
    private function submit($raw, array $env)
    {
        $this->rc->smtp_init(true);
        $smtp = $this->rc->smtp;
        // rcube_smtp keeps its Net_SMTP connection private and offers no per-recipient
        // parameters; the connection it opened (configuration, TLS, AUTH) is used as is.
        $conn = (function () { return $this->conn ?? null; })->call($smtp);
        if (!($conn instanceof Net_SMTP)) {
            $err = $smtp->get_error();
            $this->reply(502, 'smtp-unavailable', 'No SMTP connection: ' . (is_array($err) ? json_encode($err) : 'rcube_smtp offers none'));
        }

        $exts = (array) $conn->getServiceExtensions();
        try {
            $plan = mmhs_envelope::parameters($env, $exts, preg_match('/[\x80-\xff]/', $raw) === 1);
        } catch (DomainException $e) {
            $smtp->disconnect();
            $this->reply(422, 'envelope-param-unsupported', $e->getMessage());
        }

        $res = $conn->mailFrom($env['mailFrom'], $plan['mail']);
        if ($res instanceof PEAR_Error) {
            $reply = $this->reply_text($conn);
            $smtp->disconnect();
            $this->reply(422, 'smtp-rejected', 'MAIL FROM refused', ['smtpReply' => $reply]);
        }
        $accepted = [];
        $rejected = [];
        foreach ($env['rcpts'] as $i => $r) {
            $res = $conn->rcptTo($r['address'], $plan['rcpt'][$i]);
            if ($res instanceof PEAR_Error) {
                $rejected[] = ['address' => $r['address'], 'reply' => $this->reply_text($conn)];
            }
            else {
                $accepted[] = $r['address'];
            }
        }
        if (!$accepted) {
            $conn->rset();
            $smtp->disconnect();
            $this->reply(422, 'smtp-rejected', 'Every recipient was refused.', ['rejected' => $rejected]);
        }
        $res = $this->data($conn, $raw);
        $reply = $this->reply_text($conn);
        $smtp->disconnect();
        if ($res instanceof PEAR_Error) {
            $this->reply(422, 'smtp-rejected', 'DATA refused', ['smtpReply' => $reply, 'rejected' => $rejected]);
        }
        if ((int) $this->rc->config->get('sendmail_delay') > 0) {
            $this->rc->user->save_prefs(['last_message_time' => time()]);
        }
        [$saved, $sent_id] = $this->save_sent($raw);

        $this->json(200, [
            'ok'       => true,
            'accepted' => $accepted,
            'rejected' => $rejected,
            'reply'    => $reply,
            'sentId'   => $sent_id,
            'savedToSent' => $saved,
            'dropped'  => $plan['dropped'],
        ]);
    }

    /**
     * The copy in Sent over IMAP, as Roundcube's own compose does (sent_mbox); a failure does
     * not undo the submission and is reported as such. Returns [saved, "MBOX/UID" | null].
     */
    private function save_sent($raw)
    {
        $mbox = (string) $this->rc->config->get('sent_mbox');
        if ($mbox === '') {
            return [false, null];
        }
        $storage = $this->rc->get_storage();
        if (!$storage->folder_exists($mbox)) {
            $storage->create_folder($mbox, true);
        }
        $uid = $storage->save_message($mbox, $raw, '', false, ['SEEN']);
        $id = is_int($uid) || (is_string($uid) && ctype_digit($uid)) ? $mbox . '/' . $uid : null;
        return [$uid !== false, $id];
    }

    /**
     * DATA with the message as given: dot-stuffed (RFC 5321 §4.5.2) and ended by "." CRLF — the
     * message already ends with CRLF (raw_problem()), which is the CRLF of "CRLF.CRLF"
     * (§4.1.1.4). Net_SMTP::data() is not used: it quotes the message in 512 000-octet chunks
     * and stuffs a "." at the start of every chunk, also in the middle of a line, which would
     * alter a signed message larger than one chunk.
     */
    private function data($conn, $raw)
    {
        $wire = preg_replace('/^\./m', '..', $raw) . ".\r\n";
        return (function ($wire) {
            foreach ([['DATA', 354], [null, 250]] as [$cmd, $code]) {
                $r = $cmd === null ? $this->send($wire) : $this->put($cmd);
                if ($r instanceof PEAR_Error) {
                    return $r;
                }
                $r = $this->parseResponse($code);
                if ($r instanceof PEAR_Error) {
                    return $r;
                }
            }
            return true;
        })->call($conn, $wire);
    }

    private function reply_text($conn)
    {
        $r = $conn->getResponse();
        return is_array($r) ? trim(implode(' ', $r)) : '';
    }

    private function reply($status, $code, $message, array $extra = [])
    {
        $this->json($status, ['ok' => false, 'code' => $code, 'message' => $message] + $extra);
    }

    private function json($status, array $body)
    {
        while (ob_get_level() > 0) {
            ob_end_clean();
        }
        http_response_code($status);
        header('Content-Type: application/json; charset=utf-8');
        header('Cache-Control: no-store');
        header('X-Content-Type-Options: nosniff');
        echo json_encode($body, JSON_UNESCAPED_SLASHES | JSON_INVALID_UTF8_SUBSTITUTE);
        exit;
    }
}

require_once __DIR__ . '/mmhs_envelope.php';
