<?php

/**
 * The SMTP envelope of an MMHS message, as the extension hands it over (the shape of the
 * reference webmail's POST /api/send, docs/server.md), checked and turned into MAIL FROM / RCPT TO
 * parameters. Pure functions (no Roundcube state), so they are tested on their own
 * (tests/envelope_test.php).
 *
 * Parameters and the SMTP service extension each needs:
 *   RET, ENVID (MAIL), NOTIFY, ORCPT (RCPT)   DSN            RFC 3461 §4
 *   MT-PRIORITY (MAIL)                         MT-PRIORITY    RFC 6710 §3
 *   BY (MAIL)                                  DELIVERBY      RFC 2852 §4
 *   HOLDFOR, HOLDUNTIL (MAIL)                  FUTURERELEASE  RFC 4865 §3
 *   BODY=8BITMIME (MAIL, 8-bit content)        8BITMIME       RFC 6152 §3
 * A DSN or MT-PRIORITY parameter the server does not advertise is left out and reported
 * ("dropped"): RFC 3461 §4 and RFC 6710 §3 forbid sending it, and the message's own MMHS header
 * fields (RFC 6477, MT-Priority RFC 6758) still travel. BY, HOLDFOR / HOLDUNTIL and 8-bit content
 * change when or whether the message is delivered, so without the extension the submission is
 * refused instead.
 */
class mmhs_envelope
{
    /** RFC 5321 §4.1.2 Mailbox, restricted to dot-atom local parts and LDH domains (ASCII). */
    const MAILBOX = '/^[A-Za-z0-9!#$%&\'*+\/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&\'*+\/=?^_`{|}~-]+)*@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/D';

    /** RFC 3339 date-time (RFC 4865 §3 HOLDUNTIL). */
    const DATE_TIME = '/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/Di';

    /** Members of mailParams that carry nothing to the wire (computed from the message). */
    const IGNORED = ['eightBitMime', 'size'];

    /**
     * Why `raw` cannot go through SMTP unchanged, or null. SMTP DATA is lines of at most 998
     * octets ended by CRLF (RFC 5321 §4.5.3.1.6, §2.3.8); a bare CR or LF would be rewritten,
     * a NUL is not allowed, and the final CRLF belongs to the end-of-data marker (§4.1.1.4).
     */
    public static function raw_problem($raw)
    {
        if (preg_match('/\r(?!\n)|(?<!\r)\n/', $raw)) {
            return 'The message has a bare CR or LF (SMTP would rewrite it).';
        }
        if (strpos($raw, "\0") !== false) {
            return 'The message contains a NUL octet.';
        }
        if (substr($raw, -2) !== "\r\n") {
            return 'The message does not end with CRLF.';
        }
        if (preg_match('/[^\r\n]{999}/', $raw)) {
            return 'The message has a line longer than 998 octets.';
        }
        if (!preg_match('/\r\n\r\n/', $raw)) {
            return 'The message has no header section.';
        }
        return null;
    }

    /**
     * The envelope, checked: `{ mailFrom, mailParams?, rcpts: [{ address, notify?, orcpt? }] }`.
     * Unknown members are refused (a parameter must not vanish unnoticed).
     *
     * @throws InvalidArgumentException
     */
    public static function parse($v, $max_rcpts, $max_path)
    {
        if (!is_array($v)) {
            throw new InvalidArgumentException('envelope is not an object');
        }
        foreach (array_keys($v) as $k) {
            if (!in_array($k, ['mailFrom', 'mailParams', 'rcpts'], true)) {
                throw new InvalidArgumentException("unknown envelope member $k");
            }
        }
        $from = $v['mailFrom'] ?? null;
        if (!is_string($from) || ($from !== '' && !self::is_mailbox($from, $max_path))) {
            throw new InvalidArgumentException('mailFrom is not a mailbox');
        }
        $params = self::mail_params($v['mailParams'] ?? null);

        $rcpts = $v['rcpts'] ?? null;
        if (!is_array($rcpts) || !$rcpts || array_keys($rcpts) !== range(0, count($rcpts) - 1)) {
            throw new InvalidArgumentException('rcpts is not a non-empty list');
        }
        if (count($rcpts) > $max_rcpts) {
            throw new InvalidArgumentException("more than $max_rcpts recipients");
        }
        $out = [];
        foreach ($rcpts as $r) {
            if (!is_array($r)) {
                throw new InvalidArgumentException('a recipient is not an object');
            }
            foreach (array_keys($r) as $k) {
                if (!in_array($k, ['address', 'notify', 'orcpt'], true)) {
                    throw new InvalidArgumentException("unknown recipient member $k");
                }
            }
            $addr = $r['address'] ?? null;
            if (!is_string($addr) || !self::is_mailbox($addr, $max_path)) {
                throw new InvalidArgumentException('a recipient address is not a mailbox');
            }
            $out[] = [
                'address' => $addr,
                'notify'  => self::notify($r['notify'] ?? null),
                'orcpt'   => self::orcpt($r['orcpt'] ?? null),
            ];
        }
        return ['mailFrom' => $from, 'mailParams' => $params, 'rcpts' => $out];
    }

    /**
     * MAIL and RCPT parameter strings for a server advertising `exts` (Net_SMTP's
     * getServiceExtensions(): upper-case keyword → argument), with the keywords left out.
     *
     * @throws DomainException when the server lacks an extension whose absence would change delivery
     */
    public static function parameters(array $env, array $exts, $raw_is_8bit = false)
    {
        $exts = array_change_key_case($exts, CASE_UPPER);
        $dsn = isset($exts['DSN']);
        $p = $env['mailParams'];
        $mail = [];
        $dropped = [];
        $keep = function ($ok, $keyword, $text) use (&$mail, &$dropped) {
            if ($ok) {
                $mail[] = $text;
            }
            else if (!in_array($keyword, $dropped, true)) {
                $dropped[] = $keyword;
            }
        };
        if ($raw_is_8bit) {
            if (!isset($exts['8BITMIME'])) {
                throw new DomainException('the message has 8-bit content and the server does not offer 8BITMIME (RFC 6152)');
            }
            $mail[] = 'BODY=8BITMIME';
        }
        if (isset($p['ret'])) {
            $keep($dsn, 'RET', 'RET=' . $p['ret']);
        }
        if (isset($p['envid'])) {
            $keep($dsn, 'ENVID', 'ENVID=' . self::xtext($p['envid']));
        }
        if (isset($p['mtPriority'])) {
            $keep(isset($exts['MT-PRIORITY']), 'MT-PRIORITY', 'MT-PRIORITY=' . $p['mtPriority']);
        }
        if (isset($p['by'])) {
            if (!isset($exts['DELIVERBY'])) {
                throw new DomainException('the message has a latest delivery time (BY) and the server does not offer DELIVERBY (RFC 2852)');
            }
            $mail[] = 'BY=' . $p['by'];
        }
        foreach (['holdFor' => 'HOLDFOR', 'holdUntil' => 'HOLDUNTIL'] as $k => $kw) {
            if (isset($p[$k])) {
                if (!isset($exts['FUTURERELEASE'])) {
                    throw new DomainException("the message asks for deferred delivery ($kw) and the server does not offer FUTURERELEASE (RFC 4865)");
                }
                $mail[] = "$kw=" . $p[$k];
            }
        }
        $rcpt = [];
        foreach ($env['rcpts'] as $r) {
            $one = [];
            foreach (['notify' => 'NOTIFY', 'orcpt' => 'ORCPT'] as $k => $kw) {
                if ($r[$k] !== null) {
                    if ($dsn) {
                        $one[] = "$kw=" . $r[$k];
                    }
                    else if (!in_array($kw, $dropped, true)) {
                        $dropped[] = $kw;
                    }
                }
            }
            $rcpt[] = $one ? implode(' ', $one) : null;
        }
        return ['mail' => $mail ? implode(' ', $mail) : null, 'rcpt' => $rcpt, 'dropped' => $dropped];
    }

    /** RFC 3461 §4 xtext: "+" and "=", controls, space and non-ASCII as "+HH". */
    public static function xtext($s)
    {
        return preg_replace_callback('/[^\x21-\x2a\x2c-\x3c\x3e-\x7e]/', function ($m) {
            return sprintf('+%02X', ord($m[0]));
        }, $s);
    }

    public static function is_mailbox($s, $max_path)
    {
        return is_string($s) && strlen($s) <= $max_path && preg_match(self::MAILBOX, $s) === 1
            && strlen(substr($s, 0, strrpos($s, '@'))) <= 64;
    }

    private static function mail_params($mp)
    {
        if ($mp === null) {
            return [];
        }
        if (!is_array($mp) || ($mp && array_keys($mp) === range(0, count($mp) - 1))) {
            throw new InvalidArgumentException('mailParams is not an object');
        }
        $out = [];
        foreach ($mp as $k => $v) {
            if ($v === null || in_array($k, self::IGNORED, true)) {
                continue;
            }
            switch ($k) {
            case 'ret':
                if (!is_string($v) || !in_array(strtoupper($v), ['FULL', 'HDRS'], true)) {
                    throw new InvalidArgumentException('ret is not FULL or HDRS');
                }
                $out['ret'] = strtoupper($v);
                break;
            case 'envid':
                // RFC 3461 §4.4: at most 100 characters, printable ASCII before xtext encoding.
                if (!is_string($v) || $v === '' || strlen($v) > 100 || preg_match('/[^\x20-\x7e]/', $v)) {
                    throw new InvalidArgumentException('envid is not 1 to 100 printable ASCII characters');
                }
                $out['envid'] = $v;
                break;
            case 'mtPriority':
                // RFC 6710 §3: priority-value -9 … 9.
                if (!is_int($v) || $v < -9 || $v > 9) {
                    throw new InvalidArgumentException('mtPriority is not an integer from -9 to 9');
                }
                $out['mtPriority'] = $v;
                break;
            case 'by':
                // RFC 2852 §4: by-value = by-time ";" by-mode [by-trace], by-time at most 9 digits.
                if (!is_string($v) || !preg_match('/^(-?[0-9]{1,9});([RN])(T?)$/Di', trim($v), $m)) {
                    throw new InvalidArgumentException('by is not "seconds;R|N[T]"');
                }
                $out['by'] = $m[1] . ';' . strtoupper($m[2] . $m[3]);
                break;
            case 'holdFor':
                // RFC 4865 §3: hold-for-value, 1 to 9 digits.
                if (!is_int($v) || $v < 0 || $v > 999999999) {
                    throw new InvalidArgumentException('holdFor is not 0 to 999999999 seconds');
                }
                $out['holdFor'] = $v;
                break;
            case 'holdUntil':
                if (!is_string($v) || !preg_match(self::DATE_TIME, $v)) {
                    throw new InvalidArgumentException('holdUntil is not an RFC 3339 date-time');
                }
                $out['holdUntil'] = strtoupper($v);
                break;
            default:
                throw new InvalidArgumentException("unknown mailParams member $k");
            }
        }
        if (isset($out['holdFor'], $out['holdUntil'])) {
            throw new InvalidArgumentException('holdFor and holdUntil together (RFC 4865 §3 allows one)');
        }
        return $out;
    }

    /** RFC 3461 §4.1: "NEVER" alone, or any of SUCCESS, FAILURE, DELAY. */
    private static function notify($n)
    {
        if ($n === null) {
            return null;
        }
        if (is_string($n)) {
            $n = explode(',', $n);
        }
        if (!is_array($n) || !$n || count($n) > 3) {
            throw new InvalidArgumentException('notify is malformed');
        }
        $set = [];
        foreach ($n as $x) {
            $x = is_string($x) ? strtoupper(trim($x)) : '';
            if (!in_array($x, ['NEVER', 'SUCCESS', 'FAILURE', 'DELAY'], true) || in_array($x, $set, true)) {
                throw new InvalidArgumentException('notify is malformed');
            }
            $set[] = $x;
        }
        if (in_array('NEVER', $set, true) && count($set) > 1) {
            throw new InvalidArgumentException('NEVER cannot be combined with other NOTIFY values');
        }
        return implode(',', $set);
    }

    /** RFC 3461 §4.2: ORCPT=addr-type ";" xtext; the extension sends "rfc822;addr" or the address. */
    private static function orcpt($o)
    {
        if ($o === null) {
            return null;
        }
        if (!is_string($o) || $o === '' || strlen($o) > 500 || preg_match('/[^\x20-\x7e]/', $o)) {
            throw new InvalidArgumentException('orcpt is not printable ASCII');
        }
        $addr = preg_match('/^rfc822;(.+)$/Di', $o, $m) ? $m[1] : $o;
        if (!self::is_mailbox($addr, 500)) {
            throw new InvalidArgumentException('orcpt is not an rfc822 address');
        }
        return 'rfc822;' . self::xtext($addr);
    }
}
