<?php
// Tests of mmhs_envelope (php tests/envelope_test.php; exit 0 = all passed). Run by the
// Roundcube e2e suite (webdriver/tests/roundcube.test.mjs) and by hand; no Roundcube needed.
require __DIR__ . '/../mmhs_envelope.php';

$failures = 0;
function check($cond, $what)
{
    global $failures;
    if (!$cond) {
        $failures++;
        fwrite(STDERR, "FAIL: $what\n");
    }
}
function refused(callable $f, $class, $what)
{
    try {
        $f();
    } catch (Exception $e) {
        check($e instanceof $class, "$what: wrong exception " . get_class($e));
        return;
    }
    check(false, "$what: accepted");
}

$env = fn ($over = []) => array_replace_recursive([
    'mailFrom' => 'alice@army.example',
    'mailParams' => ['ret' => 'full', 'envid' => 'id+1=x', 'mtPriority' => 4, 'by' => '125;r'],
    'rcpts' => [['address' => 'bob@navy.example', 'notify' => ['SUCCESS', 'failure'], 'orcpt' => 'rfc822;bob@navy.example']],
], $over);
$parse = fn ($v) => mmhs_envelope::parse($v, 500, 256);

// Accepted, normalised, and turned into parameters for a server offering everything.
$e = $parse($env());
check($e['mailParams']['ret'] === 'FULL' && $e['mailParams']['by'] === '125;R', 'normalised keywords');
$all = ['DSN' => true, 'MT-PRIORITY' => 'STANAG4406', 'DELIVERBY' => true, 'FUTURERELEASE' => '86400 2026', '8BITMIME' => true];
$p = mmhs_envelope::parameters($e, $all);
check($p['mail'] === 'RET=FULL ENVID=id+2B1+3Dx MT-PRIORITY=4 BY=125;R', 'MAIL parameters: ' . $p['mail']);
check($p['rcpt'] === ['NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob@navy.example'], 'RCPT parameters: ' . json_encode($p['rcpt']));
check($p['dropped'] === [], 'nothing dropped');

// A server like Postfix (DSN, 8BITMIME, no MT-PRIORITY, no DELIVERBY): MT-PRIORITY dropped and
// reported, BY refused (it changes delivery).
$pf = ['DSN' => true, '8BITMIME' => true];
$p = mmhs_envelope::parameters($parse($env(['mailParams' => ['by' => null]])), $pf);
check($p['dropped'] === ['MT-PRIORITY'] && strpos($p['mail'], 'MT-PRIORITY') === false, 'MT-PRIORITY dropped: ' . json_encode($p));
refused(fn () => mmhs_envelope::parameters($e, $pf), DomainException::class, 'BY without DELIVERBY');
refused(fn () => mmhs_envelope::parameters($parse($env(['mailParams' => ['by' => null, 'holdFor' => 60]])), $pf), DomainException::class, 'HOLDFOR without FUTURERELEASE');
refused(fn () => mmhs_envelope::parameters($parse($env(['mailParams' => ['by' => null]])), ['DSN' => true], true), DomainException::class, '8-bit without 8BITMIME');
$p = mmhs_envelope::parameters($parse($env(['mailParams' => ['by' => null, 'mtPriority' => null]])), []);
check($p['dropped'] === ['RET', 'ENVID', 'NOTIFY', 'ORCPT'] && $p['mail'] === null && $p['rcpt'] === [null], 'no DSN: ' . json_encode($p));
// The null reverse-path (MDN, RFC 8098 §3).
check($parse($env(['mailFrom' => '']))['mailFrom'] === '', 'null reverse-path');

// Attacks: SMTP command injection through every member, and shapes that would lose a parameter.
$inject = "bob@navy.example>\r\nRCPT TO:<eve@evil.example";
refused(fn () => $parse($env(['mailFrom' => $inject])), InvalidArgumentException::class, 'CRLF in mailFrom');
refused(fn () => $parse($env(['rcpts' => [['address' => $inject]]])), InvalidArgumentException::class, 'CRLF in rcpt');
refused(fn () => $parse($env(['rcpts' => [['address' => 'bob@navy.example', 'orcpt' => "rfc822;b@n.example\r\nDATA"]]])), InvalidArgumentException::class, 'CRLF in orcpt');
refused(fn () => $parse($env(['mailParams' => ['envid' => "x\r\nRSET"]])), InvalidArgumentException::class, 'CRLF in envid');
refused(fn () => $parse($env(['mailParams' => ['by' => "1;R RCPT TO:<e@e.example>"]])), InvalidArgumentException::class, 'trailing words in BY');
refused(fn () => $parse($env(['mailParams' => ['holdUntil' => '2026-01-01T00:00:00Z HOLDFOR=1']])), InvalidArgumentException::class, 'trailing words in HOLDUNTIL');
refused(fn () => $parse($env(['mailParams' => ['mtPriority' => '4 BY=1;R']])), InvalidArgumentException::class, 'string MT-PRIORITY');
refused(fn () => $parse($env(['mailParams' => ['mtPriority' => 10]])), InvalidArgumentException::class, 'MT-PRIORITY out of range');
refused(fn () => $parse($env(['mailParams' => ['ret' => 'FULL HDRS']])), InvalidArgumentException::class, 'RET');
refused(fn () => $parse($env(['mailParams' => ['smtputf8' => true]])), InvalidArgumentException::class, 'unknown mailParams member');
refused(fn () => $parse($env(['extra' => 1])), InvalidArgumentException::class, 'unknown envelope member');
refused(fn () => $parse($env(['rcpts' => [['address' => 'bob@navy.example', 'notify' => ['NEVER', 'SUCCESS']]]])), InvalidArgumentException::class, 'NEVER with SUCCESS');
refused(fn () => $parse($env(['rcpts' => [['address' => 'bob@navy.example', 'notify' => 'SUCCESS,SUCCESS']]])), InvalidArgumentException::class, 'repeated NOTIFY');
refused(fn () => $parse(['mailFrom' => 'a@b.example', 'rcpts' => []]), InvalidArgumentException::class, 'no recipients');
refused(fn () => mmhs_envelope::parse(['mailFrom' => 'a@b.example', 'rcpts' => array_fill(0, 3, ['address' => 'b@c.example'])], 2, 256), InvalidArgumentException::class, 'too many recipients');
refused(fn () => $parse($env(['mailFrom' => str_repeat('a', 65) . '@army.example'])), InvalidArgumentException::class, 'local part > 64');
refused(fn () => $parse($env(['mailFrom' => 'älice@army.example'])), InvalidArgumentException::class, 'non-ASCII mailbox (no SMTPUTF8 here)');
refused(fn () => $parse($env(['mailFrom' => '"a b"@army.example'])), InvalidArgumentException::class, 'quoted local part');
refused(fn () => $parse($env(['mailParams' => ['holdFor' => 5, 'holdUntil' => '2026-01-01T00:00:00Z']])), InvalidArgumentException::class, 'HOLDFOR with HOLDUNTIL');

// Messages that SMTP would change on the way are refused, never repaired.
check(mmhs_envelope::raw_problem("Subject: x\r\n\r\nbody\r\n.leading dot\r\n") === null, 'a good message');
check(mmhs_envelope::raw_problem("Subject: x\n\nbody\n") !== null, 'bare LF');
check(mmhs_envelope::raw_problem("Subject: x\r\n\r\nbo\rdy\r\n") !== null, 'bare CR');
check(mmhs_envelope::raw_problem("Subject: x\r\n\r\nbody") !== null, 'no final CRLF');
check(mmhs_envelope::raw_problem("Subject: x\r\n\r\n" . str_repeat('a', 999) . "\r\n") !== null, 'line of 999 octets');
check(mmhs_envelope::raw_problem("Subject: x\r\n\r\n" . str_repeat('a', 998) . "\r\n") === null, 'line of 998 octets');
check(mmhs_envelope::raw_problem("Subject: x\r\n\r\nb\0dy\r\n") !== null, 'NUL');
check(mmhs_envelope::xtext("a+b=c d\x7f") === 'a+2Bb+3Dc+20d+7F', 'xtext');

if ($failures > 0) {
    fwrite(STDERR, "$failures failure(s)\n");
    exit(1);
}
echo "envelope_test: all passed\n";
