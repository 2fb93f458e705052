/**
 * BuildKit shell-lexer cases (data only), from moby/buildkit frontend/dockerfile/shell at
 * REFS.buildkit.commit: every A/U line of envVarTest (ProcessWord), every case of wordsTest
 * (ProcessWords), the tables of lex_test.go (TestProcessWithMatches, TestShellParserMandatoryEnvVars,
 * TestProcessWithMatchesPlatform), and the issue-14 case from a real Dockerfile.
 *
 * `expected` is BuildKit's result; "error" (ProcessWord) / ["error"] (ProcessWords) when it fails.
 */
import type { Source, Verdict } from "./sources.js"

export interface WordCase {
  input: string
  /** Variables set (value "" = set but empty); names not listed are unset. */
  env: Record<string, string>
  expected: string
  source: Source
  /** Target platform for the automatic TARGET* args (TestProcessWithMatchesPlatform). */
  targetPlatform?: string
}

export interface WordsCase {
  input: string
  env: Record<string, string>
  expected: string[]
  source: Source
}

const SHELL = "frontend/dockerfile/shell"
const lexTest = (test: string, line: number): Source => ({ ref: "buildkit", file: `${SHELL}/lex_test.go`, test, line })
const envVarTest = (line: number): Source => ({ ref: "buildkit", file: `${SHELL}/envVarTest`, test: "TestShellParser4EnvVars", line })
const wordsTest = (line: number): Source => ({ ref: "buildkit", file: `${SHELL}/wordsTest`, test: "TestShellParser4Words", line })

/** TestShellParser4EnvVars' environment. */
const ENV_VAR_TEST_ENV = { PWD: "/home", SHELL: "bash", KOREAN: "한국어", NULL: "" }

export const PROCESS_WITH_MATCHES: WordCase[] = [
  { input: "x", env: {"DUMMY": "dummy"}, expected: "x", source: lexTest("TestProcessWithMatches", 252) },
  { input: "x ${UNUSED}", env: {"DUMMY": "dummy"}, expected: "x ", source: lexTest("TestProcessWithMatches", 258) },
  { input: "x ${FOO}", env: {"FOO": "y"}, expected: "x y", source: lexTest("TestProcessWithMatches", 265) },
  { input: "${FOO-aaa} ${BAR-bbb} ${BAZ-ccc}", env: {"FOO": "xxx", "BAR": ""}, expected: "xxx  ccc", source: lexTest("TestProcessWithMatches", 272) },
  { input: "${FOO:-aaa} ${BAR:-bbb} ${BAZ:-ccc}", env: {"FOO": "xxx", "BAR": ""}, expected: "xxx bbb ccc", source: lexTest("TestProcessWithMatches", 282) },
  { input: "${FOO:-}", env: {"FOO": "xxx", "BAR": ""}, expected: "xxx", source: lexTest("TestProcessWithMatches", 292) },
  { input: "${FOO:-}", env: {}, expected: "", source: lexTest("TestProcessWithMatches", 301) },
  { input: "${FOO+aaa} ${BAR+bbb} ${BAZ+ccc}", env: {"FOO": "xxx", "BAR": ""}, expected: "aaa bbb ", source: lexTest("TestProcessWithMatches", 308) },
  { input: "${FOO:+aaa} ${BAR:+bbb} ${BAZ:+ccc}", env: {"FOO": "xxx", "BAR": ""}, expected: "aaa  ", source: lexTest("TestProcessWithMatches", 318) },
  { input: "${FOO?aaa}", env: {"FOO": "xxx", "BAR": ""}, expected: "xxx", source: lexTest("TestProcessWithMatches", 329) },
  { input: "${BAR?bbb}", env: {"FOO": "xxx", "BAR": ""}, expected: "", source: lexTest("TestProcessWithMatches", 338) },
  { input: "${BAZ?ccc}", env: {"FOO": "xxx", "BAR": ""}, expected: "error", source: lexTest("TestProcessWithMatches", 347) },
  { input: "${FOO:?aaa}", env: {"FOO": "xxx", "BAR": ""}, expected: "xxx", source: lexTest("TestProcessWithMatches", 356) },
  { input: "${BAR:?bbb}", env: {"FOO": "xxx", "BAR": ""}, expected: "error", source: lexTest("TestProcessWithMatches", 365) },
  { input: "${BAZ:?ccc}", env: {"FOO": "xxx", "BAR": ""}, expected: "error", source: lexTest("TestProcessWithMatches", 373) },
  { input: "${BAZ:?}", env: {"FOO": "xxx", "BAR": ""}, expected: "error", source: lexTest("TestProcessWithMatches", 382) },
  { input: "${FOO=aaa}", env: {"FOO": "xxx", "BAR": ""}, expected: "error", source: lexTest("TestProcessWithMatches", 392) },
  { input: "${FOO=:aaa}", env: {"FOO": "xxx", "BAR": ""}, expected: "error", source: lexTest("TestProcessWithMatches", 400) },
  { input: "${FOO=}", env: {}, expected: "error", source: lexTest("TestProcessWithMatches", 408) },
  { input: "${FOO#()[]{\\}^$.\\*\\?|\\\\}", env: {"FOO": "()[]{}^$.*?|\\x"}, expected: "x", source: lexTest("TestProcessWithMatches", 416) },
  { input: "${FOO%%\\**}", env: {"FOO": "xx**"}, expected: "xx", source: lexTest("TestProcessWithMatches", 422) },
  { input: "${FOO#*x*y}", env: {"FOO": "xxyy"}, expected: "y", source: lexTest("TestProcessWithMatches", 428) },
  { input: "${FOO#*}", env: {"FOO": "xxyy"}, expected: "xxyy", source: lexTest("TestProcessWithMatches", 434) },
  { input: "${FOO#$BAR}", env: {"FOO": "xxyy", "BAR": "x"}, expected: "xyy", source: lexTest("TestProcessWithMatches", 440) },
  { input: "${FOO#$BAR}", env: {"FOO": "xxyy", "BAR": ""}, expected: "xxyy", source: lexTest("TestProcessWithMatches", 446) },
  { input: "${FOO#}", env: {"FOO": "xxyy"}, expected: "xxyy", source: lexTest("TestProcessWithMatches", 452) },
  { input: "${FOO##*x}", env: {"FOO": "xxyy"}, expected: "yy", source: lexTest("TestProcessWithMatches", 458) },
  { input: "${FOO##}", env: {"FOO": "xxyy"}, expected: "xxyy", source: lexTest("TestProcessWithMatches", 464) },
  { input: "${FOO#?\\?}", env: {"FOO": "???y"}, expected: "?y", source: lexTest("TestProcessWithMatches", 470) },
  { input: "${ABC:-.}${FOO%x}${ABC:-.}", env: {"FOO": "xxyy"}, expected: ".xxyy.", source: lexTest("TestProcessWithMatches", 476) },
  { input: "${FOO%%\\**\\*}", env: {"FOO": "a***yy*"}, expected: "a", source: lexTest("TestProcessWithMatches", 483) },
  { input: "${FOO%}", env: {"FOO": "xxyy"}, expected: "xxyy", source: lexTest("TestProcessWithMatches", 489) },
  { input: "${FOO%%$BAR}", env: {"FOO": "xxyy", "BAR": ""}, expected: "xxyy", source: lexTest("TestProcessWithMatches", 495) },
  { input: "${FOO:#}", env: {}, expected: "error", source: lexTest("TestProcessWithMatches", 501) },
  { input: "${FOO:##}", env: {}, expected: "error", source: lexTest("TestProcessWithMatches", 506) },
  { input: "${FOO:%}", env: {}, expected: "error", source: lexTest("TestProcessWithMatches", 511) },
  { input: "${FOO:%%}", env: {}, expected: "error", source: lexTest("TestProcessWithMatches", 516) },
  { input: "${FOO/$NEEDLE/.} - ${FOO//$NEEDLE/.}", env: {"FOO": "/foo*/*/*.txt", "NEEDLE": "\\*/"}, expected: "/foo.*/*.txt - /foo..*.txt", source: lexTest("TestProcessWithMatches", 522) },
  { input: "${FOO/$NEEDLE/} - ${FOO//$NEEDLE/}", env: {"FOO": "/tmp/tmp/bar.txt", "NEEDLE": "/tmp"}, expected: "/tmp/bar.txt - /bar.txt", source: lexTest("TestProcessWithMatches", 529) },
  { input: "${FOO/$NEEDLE/$REPLACEMENT} - ${FOO//$NEEDLE/$REPLACEMENT}", env: {"FOO": "/a/foo/b/c.txt", "NEEDLE": "/?/", "REPLACEMENT": "/"}, expected: "/foo/b/c.txt - /foo/c.txt", source: lexTest("TestProcessWithMatches", 535) },
  { input: "${FOO/$NEEDLE/$REPLACEMENT}", env: {"FOO": "http://google.de", "NEEDLE": "http://", "REPLACEMENT": "https://"}, expected: "https://google.de", source: lexTest("TestProcessWithMatches", 541) },
  { input: "${FOO//\\//\\/}", env: {"FOO": "/tmp/foo.txt"}, expected: "\\/tmp\\/foo.txt", source: lexTest("TestProcessWithMatches", 548) },
  { input: "${FOO/$BAR/ww}", env: {"FOO": "xxyy", "BAR": ""}, expected: "wwxxyy", source: lexTest("TestProcessWithMatches", 558) },
  { input: "${FOO//ww}", env: {"FOO": "xxyy"}, expected: "error", source: lexTest("TestProcessWithMatches", 564) },
  { input: "${FOO//}", env: {"FOO": "xxyy"}, expected: "error", source: lexTest("TestProcessWithMatches", 569) },
  { input: "${FOO///}", env: {"FOO": "xxyy"}, expected: "xxyy", source: lexTest("TestProcessWithMatches", 574) },
  { input: "${FOO///}", env: {}, expected: "", source: lexTest("TestProcessWithMatches", 580) },
]

/** envVarTest (TestShellParser4EnvVars): A (all) and U (unix) lines; W (windows-only) lines are left out. */
export const ENV_VAR_TEST: WordCase[] = [
  { input: "hello", env: ENV_VAR_TEST_ENV, expected: "hello", source: envVarTest(1) },
  { input: "he'll'o", env: ENV_VAR_TEST_ENV, expected: "hello", source: envVarTest(2) },
  { input: "he'llo", env: ENV_VAR_TEST_ENV, expected: "error", source: envVarTest(3) },
  { input: "he\\'llo", env: ENV_VAR_TEST_ENV, expected: "he'llo", source: envVarTest(4) },
  { input: "he\\\\'llo", env: ENV_VAR_TEST_ENV, expected: "error", source: envVarTest(5) },
  { input: "abc\\tdef", env: ENV_VAR_TEST_ENV, expected: "abctdef", source: envVarTest(6) },
  { input: "\"abc\\tdef\"", env: ENV_VAR_TEST_ENV, expected: "abc\\tdef", source: envVarTest(7) },
  { input: "\"abc\\\\tdef\"", env: ENV_VAR_TEST_ENV, expected: "abc\\tdef", source: envVarTest(8) },
  { input: "'abc\\tdef'", env: ENV_VAR_TEST_ENV, expected: "abc\\tdef", source: envVarTest(9) },
  { input: "hello\\", env: ENV_VAR_TEST_ENV, expected: "hello", source: envVarTest(10) },
  { input: "hello\\\\", env: ENV_VAR_TEST_ENV, expected: "hello\\", source: envVarTest(11) },
  { input: "\"hello", env: ENV_VAR_TEST_ENV, expected: "error", source: envVarTest(12) },
  { input: "\"hello\\\"", env: ENV_VAR_TEST_ENV, expected: "error", source: envVarTest(13) },
  { input: "\"hel'lo\"", env: ENV_VAR_TEST_ENV, expected: "hel'lo", source: envVarTest(14) },
  { input: "'hello", env: ENV_VAR_TEST_ENV, expected: "error", source: envVarTest(15) },
  { input: "'hello\\'", env: ENV_VAR_TEST_ENV, expected: "hello\\", source: envVarTest(16) },
  { input: "'hello\\there'", env: ENV_VAR_TEST_ENV, expected: "hello\\there", source: envVarTest(17) },
  { input: "'hello\\\\there'", env: ENV_VAR_TEST_ENV, expected: "hello\\\\there", source: envVarTest(18) },
  { input: "\"''\"", env: ENV_VAR_TEST_ENV, expected: "''", source: envVarTest(19) },
  { input: "$.", env: ENV_VAR_TEST_ENV, expected: "$.", source: envVarTest(20) },
  { input: "he$1x", env: ENV_VAR_TEST_ENV, expected: "hex", source: envVarTest(21) },
  { input: "he$.x", env: ENV_VAR_TEST_ENV, expected: "he$.x", source: envVarTest(22) },
  { input: "he$pwd.", env: ENV_VAR_TEST_ENV, expected: "he.", source: envVarTest(24) },
  { input: "he$PWD", env: ENV_VAR_TEST_ENV, expected: "he/home", source: envVarTest(26) },
  { input: "he\\$PWD", env: ENV_VAR_TEST_ENV, expected: "he$PWD", source: envVarTest(27) },
  { input: "he\\\\$PWD", env: ENV_VAR_TEST_ENV, expected: "he\\/home", source: envVarTest(28) },
  { input: "\"he\\$PWD\"", env: ENV_VAR_TEST_ENV, expected: "he$PWD", source: envVarTest(29) },
  { input: "\"he\\\\$PWD\"", env: ENV_VAR_TEST_ENV, expected: "he\\/home", source: envVarTest(30) },
  { input: "\\${}", env: ENV_VAR_TEST_ENV, expected: "${}", source: envVarTest(31) },
  { input: "\\${}aaa", env: ENV_VAR_TEST_ENV, expected: "${}aaa", source: envVarTest(32) },
  { input: "he\\${}", env: ENV_VAR_TEST_ENV, expected: "he${}", source: envVarTest(33) },
  { input: "he\\${}xx", env: ENV_VAR_TEST_ENV, expected: "he${}xx", source: envVarTest(34) },
  { input: "${}", env: ENV_VAR_TEST_ENV, expected: "error", source: envVarTest(35) },
  { input: "${}aaa", env: ENV_VAR_TEST_ENV, expected: "error", source: envVarTest(36) },
  { input: "he${}", env: ENV_VAR_TEST_ENV, expected: "error", source: envVarTest(37) },
  { input: "he${}xx", env: ENV_VAR_TEST_ENV, expected: "error", source: envVarTest(38) },
  { input: "he${hi}", env: ENV_VAR_TEST_ENV, expected: "he", source: envVarTest(39) },
  { input: "he${hi}xx", env: ENV_VAR_TEST_ENV, expected: "hexx", source: envVarTest(40) },
  { input: "he${PWD}", env: ENV_VAR_TEST_ENV, expected: "he/home", source: envVarTest(41) },
  { input: "he${.}", env: ENV_VAR_TEST_ENV, expected: "error", source: envVarTest(42) },
  { input: "he${XXX:-000}xx", env: ENV_VAR_TEST_ENV, expected: "he000xx", source: envVarTest(43) },
  { input: "he${PWD:-000}xx", env: ENV_VAR_TEST_ENV, expected: "he/homexx", source: envVarTest(44) },
  { input: "he${XXX:-$PWD}xx", env: ENV_VAR_TEST_ENV, expected: "he/homexx", source: envVarTest(45) },
  { input: "he${XXX:-${PWD:-yyy}}xx", env: ENV_VAR_TEST_ENV, expected: "he/homexx", source: envVarTest(46) },
  { input: "he${XXX:-${YYY:-yyy}}xx", env: ENV_VAR_TEST_ENV, expected: "heyyyxx", source: envVarTest(47) },
  { input: "he${XXX:YYY}", env: ENV_VAR_TEST_ENV, expected: "error", source: envVarTest(48) },
  { input: "he${XXX?}", env: ENV_VAR_TEST_ENV, expected: "error", source: envVarTest(49) },
  { input: "he${XXX:?}", env: ENV_VAR_TEST_ENV, expected: "error", source: envVarTest(50) },
  { input: "he${PWD?}", env: ENV_VAR_TEST_ENV, expected: "he/home", source: envVarTest(51) },
  { input: "he${PWD:?}", env: ENV_VAR_TEST_ENV, expected: "he/home", source: envVarTest(52) },
  { input: "he${NULL?}", env: ENV_VAR_TEST_ENV, expected: "he", source: envVarTest(53) },
  { input: "he${NULL:?}", env: ENV_VAR_TEST_ENV, expected: "error", source: envVarTest(54) },
  { input: "he${XXX:+${PWD}}xx", env: ENV_VAR_TEST_ENV, expected: "hexx", source: envVarTest(55) },
  { input: "he${PWD:+${XXX}}xx", env: ENV_VAR_TEST_ENV, expected: "hexx", source: envVarTest(56) },
  { input: "he${PWD:+${SHELL}}xx", env: ENV_VAR_TEST_ENV, expected: "hebashxx", source: envVarTest(57) },
  { input: "he${XXX:+000}xx", env: ENV_VAR_TEST_ENV, expected: "hexx", source: envVarTest(58) },
  { input: "he${PWD:+000}xx", env: ENV_VAR_TEST_ENV, expected: "he000xx", source: envVarTest(59) },
  { input: "'he${XX}'", env: ENV_VAR_TEST_ENV, expected: "he${XX}", source: envVarTest(60) },
  { input: "\"he${PWD}\"", env: ENV_VAR_TEST_ENV, expected: "he/home", source: envVarTest(61) },
  { input: "\"he'$PWD'\"", env: ENV_VAR_TEST_ENV, expected: "he'/home'", source: envVarTest(62) },
  { input: "\"$PWD\"", env: ENV_VAR_TEST_ENV, expected: "/home", source: envVarTest(63) },
  { input: "'$PWD'", env: ENV_VAR_TEST_ENV, expected: "$PWD", source: envVarTest(64) },
  { input: "'\\$PWD'", env: ENV_VAR_TEST_ENV, expected: "\\$PWD", source: envVarTest(65) },
  { input: "'\"hello\"'", env: ENV_VAR_TEST_ENV, expected: "\"hello\"", source: envVarTest(66) },
  { input: "he\\$PWD", env: ENV_VAR_TEST_ENV, expected: "he$PWD", source: envVarTest(67) },
  { input: "\"he\\$PWD\"", env: ENV_VAR_TEST_ENV, expected: "he$PWD", source: envVarTest(68) },
  { input: "'he\\$PWD'", env: ENV_VAR_TEST_ENV, expected: "he\\$PWD", source: envVarTest(69) },
  { input: "he${PWD", env: ENV_VAR_TEST_ENV, expected: "error", source: envVarTest(70) },
  { input: "he${PWD:=000}xx", env: ENV_VAR_TEST_ENV, expected: "error", source: envVarTest(71) },
  { input: "he${PWD:+${PWD}:}xx", env: ENV_VAR_TEST_ENV, expected: "he/home:xx", source: envVarTest(72) },
  { input: "he${XXX:-\\$PWD:}xx", env: ENV_VAR_TEST_ENV, expected: "he$PWD:xx", source: envVarTest(73) },
  { input: "he${XXX:-\\${PWD}z}xx", env: ENV_VAR_TEST_ENV, expected: "he${PWDz}xx", source: envVarTest(74) },
  { input: "안녕하세요", env: ENV_VAR_TEST_ENV, expected: "안녕하세요", source: envVarTest(75) },
  { input: "안'녕'하세요", env: ENV_VAR_TEST_ENV, expected: "안녕하세요", source: envVarTest(76) },
  { input: "안'녕하세요", env: ENV_VAR_TEST_ENV, expected: "error", source: envVarTest(77) },
  { input: "안녕\\'하세요", env: ENV_VAR_TEST_ENV, expected: "안녕'하세요", source: envVarTest(78) },
  { input: "안\\\\'녕하세요", env: ENV_VAR_TEST_ENV, expected: "error", source: envVarTest(79) },
  { input: "안녕\\t하세요", env: ENV_VAR_TEST_ENV, expected: "안녕t하세요", source: envVarTest(80) },
  { input: "\"안녕\\t하세요\"", env: ENV_VAR_TEST_ENV, expected: "안녕\\t하세요", source: envVarTest(81) },
  { input: "'안녕\\t하세요", env: ENV_VAR_TEST_ENV, expected: "error", source: envVarTest(82) },
  { input: "안녕하세요\\", env: ENV_VAR_TEST_ENV, expected: "안녕하세요", source: envVarTest(83) },
  { input: "안녕하세요\\\\", env: ENV_VAR_TEST_ENV, expected: "안녕하세요\\", source: envVarTest(84) },
  { input: "\"안녕하세요", env: ENV_VAR_TEST_ENV, expected: "error", source: envVarTest(85) },
  { input: "\"안녕하세요\\\"", env: ENV_VAR_TEST_ENV, expected: "error", source: envVarTest(86) },
  { input: "\"안녕'하세요\"", env: ENV_VAR_TEST_ENV, expected: "안녕'하세요", source: envVarTest(87) },
  { input: "'안녕하세요", env: ENV_VAR_TEST_ENV, expected: "error", source: envVarTest(88) },
  { input: "'안녕하세요\\'", env: ENV_VAR_TEST_ENV, expected: "안녕하세요\\", source: envVarTest(89) },
  { input: "안녕$1x", env: ENV_VAR_TEST_ENV, expected: "안녕x", source: envVarTest(90) },
  { input: "안녕$.x", env: ENV_VAR_TEST_ENV, expected: "안녕$.x", source: envVarTest(91) },
  { input: "안녕$pwd.", env: ENV_VAR_TEST_ENV, expected: "안녕.", source: envVarTest(93) },
  { input: "안녕$PWD", env: ENV_VAR_TEST_ENV, expected: "안녕/home", source: envVarTest(95) },
  { input: "안녕\\$PWD", env: ENV_VAR_TEST_ENV, expected: "안녕$PWD", source: envVarTest(96) },
  { input: "안녕\\\\$PWD", env: ENV_VAR_TEST_ENV, expected: "안녕\\/home", source: envVarTest(97) },
  { input: "안녕\\${}", env: ENV_VAR_TEST_ENV, expected: "안녕${}", source: envVarTest(98) },
  { input: "안녕\\${}xx", env: ENV_VAR_TEST_ENV, expected: "안녕${}xx", source: envVarTest(99) },
  { input: "안녕${}", env: ENV_VAR_TEST_ENV, expected: "error", source: envVarTest(100) },
  { input: "안녕${}xx", env: ENV_VAR_TEST_ENV, expected: "error", source: envVarTest(101) },
  { input: "안녕${hi}", env: ENV_VAR_TEST_ENV, expected: "안녕", source: envVarTest(102) },
  { input: "안녕${hi}xx", env: ENV_VAR_TEST_ENV, expected: "안녕xx", source: envVarTest(103) },
  { input: "안녕${PWD}", env: ENV_VAR_TEST_ENV, expected: "안녕/home", source: envVarTest(104) },
  { input: "안녕${.}", env: ENV_VAR_TEST_ENV, expected: "error", source: envVarTest(105) },
  { input: "안녕${XXX:-000}xx", env: ENV_VAR_TEST_ENV, expected: "안녕000xx", source: envVarTest(106) },
  { input: "안녕${PWD:-000}xx", env: ENV_VAR_TEST_ENV, expected: "안녕/homexx", source: envVarTest(107) },
  { input: "안녕${XXX:-$PWD}xx", env: ENV_VAR_TEST_ENV, expected: "안녕/homexx", source: envVarTest(108) },
  { input: "안녕${XXX:-${PWD:-yyy}}xx", env: ENV_VAR_TEST_ENV, expected: "안녕/homexx", source: envVarTest(109) },
  { input: "안녕${XXX:-${YYY:-yyy}}xx", env: ENV_VAR_TEST_ENV, expected: "안녕yyyxx", source: envVarTest(110) },
  { input: "안녕${XXX:YYY}", env: ENV_VAR_TEST_ENV, expected: "error", source: envVarTest(111) },
  { input: "안녕${XXX:+${PWD}}xx", env: ENV_VAR_TEST_ENV, expected: "안녕xx", source: envVarTest(112) },
  { input: "안녕${PWD:+${XXX}}xx", env: ENV_VAR_TEST_ENV, expected: "안녕xx", source: envVarTest(113) },
  { input: "안녕${PWD:+${SHELL}}xx", env: ENV_VAR_TEST_ENV, expected: "안녕bashxx", source: envVarTest(114) },
  { input: "안녕${XXX:+000}xx", env: ENV_VAR_TEST_ENV, expected: "안녕xx", source: envVarTest(115) },
  { input: "안녕${PWD:+000}xx", env: ENV_VAR_TEST_ENV, expected: "안녕000xx", source: envVarTest(116) },
  { input: "'안녕${XX}'", env: ENV_VAR_TEST_ENV, expected: "안녕${XX}", source: envVarTest(117) },
  { input: "\"안녕${PWD}\"", env: ENV_VAR_TEST_ENV, expected: "안녕/home", source: envVarTest(118) },
  { input: "\"안녕'$PWD'\"", env: ENV_VAR_TEST_ENV, expected: "안녕'/home'", source: envVarTest(119) },
  { input: "'\"안녕\"'", env: ENV_VAR_TEST_ENV, expected: "\"안녕\"", source: envVarTest(120) },
  { input: "안녕\\$PWD", env: ENV_VAR_TEST_ENV, expected: "안녕$PWD", source: envVarTest(121) },
  { input: "\"안녕\\$PWD\"", env: ENV_VAR_TEST_ENV, expected: "안녕$PWD", source: envVarTest(122) },
  { input: "'안녕\\$PWD'", env: ENV_VAR_TEST_ENV, expected: "안녕\\$PWD", source: envVarTest(123) },
  { input: "안녕${PWD", env: ENV_VAR_TEST_ENV, expected: "error", source: envVarTest(124) },
  { input: "안녕${PWD:=000}xx", env: ENV_VAR_TEST_ENV, expected: "error", source: envVarTest(125) },
  { input: "안녕${PWD:+${PWD}:}xx", env: ENV_VAR_TEST_ENV, expected: "안녕/home:xx", source: envVarTest(126) },
  { input: "안녕${XXX:-\\$PWD:}xx", env: ENV_VAR_TEST_ENV, expected: "안녕$PWD:xx", source: envVarTest(127) },
  { input: "안녕${XXX:-\\${PWD}z}xx", env: ENV_VAR_TEST_ENV, expected: "안녕${PWDz}xx", source: envVarTest(128) },
  { input: "$KOREAN", env: ENV_VAR_TEST_ENV, expected: "한국어", source: envVarTest(129) },
  { input: "안녕$KOREAN", env: ENV_VAR_TEST_ENV, expected: "안녕한국어", source: envVarTest(130) },
  { input: "${{aaa}", env: ENV_VAR_TEST_ENV, expected: "error", source: envVarTest(131) },
  { input: "${aaa}}", env: ENV_VAR_TEST_ENV, expected: "}", source: envVarTest(132) },
  { input: "${aaa", env: ENV_VAR_TEST_ENV, expected: "error", source: envVarTest(133) },
  { input: "${{aaa:-bbb}", env: ENV_VAR_TEST_ENV, expected: "error", source: envVarTest(134) },
  { input: "${aaa:-bbb}}", env: ENV_VAR_TEST_ENV, expected: "bbb}", source: envVarTest(135) },
  { input: "${aaa:-bbb", env: ENV_VAR_TEST_ENV, expected: "error", source: envVarTest(136) },
  { input: "${aaa:-bbb}", env: ENV_VAR_TEST_ENV, expected: "bbb", source: envVarTest(137) },
  { input: "${aaa:-${bbb:-ccc}}", env: ENV_VAR_TEST_ENV, expected: "ccc", source: envVarTest(138) },
  { input: "${aaa:-bbb ${foo}", env: ENV_VAR_TEST_ENV, expected: "error", source: envVarTest(139) },
  { input: "${aaa:-bbb {foo}", env: ENV_VAR_TEST_ENV, expected: "bbb {foo", source: envVarTest(140) },
  { input: "${:}", env: ENV_VAR_TEST_ENV, expected: "error", source: envVarTest(141) },
  { input: "${:-bbb}", env: ENV_VAR_TEST_ENV, expected: "error", source: envVarTest(142) },
  { input: "${:+bbb}", env: ENV_VAR_TEST_ENV, expected: "error", source: envVarTest(143) },
  { input: "$1", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(147) },
  { input: "${1}", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(148) },
  { input: "${1:+bbb}", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(149) },
  { input: "${1:-bbb}", env: ENV_VAR_TEST_ENV, expected: "bbb", source: envVarTest(150) },
  { input: "$2", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(151) },
  { input: "${2}", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(152) },
  { input: "${2:+bbb}", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(153) },
  { input: "${2:-bbb}", env: ENV_VAR_TEST_ENV, expected: "bbb", source: envVarTest(154) },
  { input: "$3", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(155) },
  { input: "${3}", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(156) },
  { input: "${3:+bbb}", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(157) },
  { input: "${3:-bbb}", env: ENV_VAR_TEST_ENV, expected: "bbb", source: envVarTest(158) },
  { input: "$4", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(159) },
  { input: "${4}", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(160) },
  { input: "${4:+bbb}", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(161) },
  { input: "${4:-bbb}", env: ENV_VAR_TEST_ENV, expected: "bbb", source: envVarTest(162) },
  { input: "$5", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(163) },
  { input: "${5}", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(164) },
  { input: "${5:+bbb}", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(165) },
  { input: "${5:-bbb}", env: ENV_VAR_TEST_ENV, expected: "bbb", source: envVarTest(166) },
  { input: "$6", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(167) },
  { input: "${6}", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(168) },
  { input: "${6:+bbb}", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(169) },
  { input: "${6:-bbb}", env: ENV_VAR_TEST_ENV, expected: "bbb", source: envVarTest(170) },
  { input: "$7", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(171) },
  { input: "${7}", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(172) },
  { input: "${7:+bbb}", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(173) },
  { input: "${7:-bbb}", env: ENV_VAR_TEST_ENV, expected: "bbb", source: envVarTest(174) },
  { input: "$8", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(175) },
  { input: "${8}", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(176) },
  { input: "${8:+bbb}", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(177) },
  { input: "${8:-bbb}", env: ENV_VAR_TEST_ENV, expected: "bbb", source: envVarTest(178) },
  { input: "$9", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(179) },
  { input: "${9}", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(180) },
  { input: "${9:+bbb}", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(181) },
  { input: "${9:-bbb}", env: ENV_VAR_TEST_ENV, expected: "bbb", source: envVarTest(182) },
  { input: "$999", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(183) },
  { input: "${999}", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(184) },
  { input: "${999:+bbb}", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(185) },
  { input: "${999:-bbb}", env: ENV_VAR_TEST_ENV, expected: "bbb", source: envVarTest(186) },
  { input: "$999aaa", env: ENV_VAR_TEST_ENV, expected: "aaa", source: envVarTest(187) },
  { input: "${999}aaa", env: ENV_VAR_TEST_ENV, expected: "aaa", source: envVarTest(188) },
  { input: "${999:+bbb}aaa", env: ENV_VAR_TEST_ENV, expected: "aaa", source: envVarTest(189) },
  { input: "${999:-bbb}aaa", env: ENV_VAR_TEST_ENV, expected: "bbbaaa", source: envVarTest(190) },
  { input: "$001", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(191) },
  { input: "${001}", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(192) },
  { input: "${001:+bbb}", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(193) },
  { input: "${001:-bbb}", env: ENV_VAR_TEST_ENV, expected: "bbb", source: envVarTest(194) },
  { input: "$001aaa", env: ENV_VAR_TEST_ENV, expected: "aaa", source: envVarTest(195) },
  { input: "${001}aaa", env: ENV_VAR_TEST_ENV, expected: "aaa", source: envVarTest(196) },
  { input: "${001:+bbb}aaa", env: ENV_VAR_TEST_ENV, expected: "aaa", source: envVarTest(197) },
  { input: "${001:-bbb}aaa", env: ENV_VAR_TEST_ENV, expected: "bbbaaa", source: envVarTest(198) },
  { input: "$@", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(202) },
  { input: "${@}", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(203) },
  { input: "${@:+bbb}", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(204) },
  { input: "${@:-bbb}", env: ENV_VAR_TEST_ENV, expected: "bbb", source: envVarTest(205) },
  { input: "$@@@", env: ENV_VAR_TEST_ENV, expected: "@@", source: envVarTest(206) },
  { input: "$@aaa", env: ENV_VAR_TEST_ENV, expected: "aaa", source: envVarTest(207) },
  { input: "${@}aaa", env: ENV_VAR_TEST_ENV, expected: "aaa", source: envVarTest(208) },
  { input: "${@:+bbb}aaa", env: ENV_VAR_TEST_ENV, expected: "aaa", source: envVarTest(209) },
  { input: "${@:-bbb}aaa", env: ENV_VAR_TEST_ENV, expected: "bbbaaa", source: envVarTest(210) },
  { input: "$*", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(211) },
  { input: "${*}", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(212) },
  { input: "${*:+bbb}", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(213) },
  { input: "${*:-bbb}", env: ENV_VAR_TEST_ENV, expected: "bbb", source: envVarTest(214) },
  { input: "$#", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(215) },
  { input: "${#}", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(216) },
  { input: "${#:+bbb}", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(217) },
  { input: "${#:-bbb}", env: ENV_VAR_TEST_ENV, expected: "bbb", source: envVarTest(218) },
  { input: "$?", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(219) },
  { input: "${?}", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(220) },
  { input: "${?:+bbb}", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(221) },
  { input: "${?:-bbb}", env: ENV_VAR_TEST_ENV, expected: "bbb", source: envVarTest(222) },
  { input: "$-", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(223) },
  { input: "${-}", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(224) },
  { input: "${-:+bbb}", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(225) },
  { input: "${-:-bbb}", env: ENV_VAR_TEST_ENV, expected: "bbb", source: envVarTest(226) },
  { input: "$$", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(227) },
  { input: "${$}", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(228) },
  { input: "${$:+bbb}", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(229) },
  { input: "${$:-bbb}", env: ENV_VAR_TEST_ENV, expected: "bbb", source: envVarTest(230) },
  { input: "$!", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(231) },
  { input: "${!}", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(232) },
  { input: "${!:+bbb}", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(233) },
  { input: "${!:-bbb}", env: ENV_VAR_TEST_ENV, expected: "bbb", source: envVarTest(234) },
  { input: "$0", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(235) },
  { input: "${0}", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(236) },
  { input: "${0:+bbb}", env: ENV_VAR_TEST_ENV, expected: "", source: envVarTest(237) },
  { input: "${0:-bbb}", env: ENV_VAR_TEST_ENV, expected: "bbb", source: envVarTest(238) },
]

/** wordsTest (TestShellParser4Words, ProcessWords): expected words, or ["error"]; env = the ENV lines above each case (values raw). */
export const WORDS_TEST: WordsCase[] = [
  { input: "hello", env: {}, expected: ["hello"], source: wordsTest(1) },
  { input: "hello${hi}bye", env: {}, expected: ["hellobye"], source: wordsTest(2) },
  { input: "hello${hi}bye", env: {"hi": "hi"}, expected: ["hellohibye"], source: wordsTest(4) },
  { input: "hello${space}bye", env: {"hi": "hi", "space": "abc  def"}, expected: ["helloabc", "defbye"], source: wordsTest(6) },
  { input: "hello\"${space}\"bye", env: {"hi": "hi", "space": "abc  def"}, expected: ["helloabc  defbye"], source: wordsTest(7) },
  { input: "hello \"${space}\"bye", env: {"hi": "hi", "space": "abc  def"}, expected: ["hello", "abc  defbye"], source: wordsTest(8) },
  { input: "hello${leading}def", env: {"hi": "hi", "space": "abc  def", "leading": "  ab c"}, expected: ["hello", "ab", "cdef"], source: wordsTest(10) },
  { input: "hello\"${leading}\" def", env: {"hi": "hi", "space": "abc  def", "leading": "  ab c"}, expected: ["hello  ab c", "def"], source: wordsTest(11) },
  { input: "hello\"${leading}\"", env: {"hi": "hi", "space": "abc  def", "leading": "  ab c"}, expected: ["hello  ab c"], source: wordsTest(12) },
  { input: "hello${leading}", env: {"hi": "hi", "space": "abc  def", "leading": "  ab c"}, expected: ["hello", "ab", "c"], source: wordsTest(13) },
  { input: "hello${trailing}", env: {"hi": "hi", "space": "abc  def", "leading": "  ab c", "trailing": "ab c   "}, expected: ["helloab", "c"], source: wordsTest(16) },
  { input: "hello${trailing}d", env: {"hi": "hi", "space": "abc  def", "leading": "  ab c", "trailing": "ab c   "}, expected: ["helloab", "c", "d"], source: wordsTest(17) },
  { input: "hello\"${trailing}\"d", env: {"hi": "hi", "space": "abc  def", "leading": "  ab c", "trailing": "ab c   "}, expected: ["helloab c   d"], source: wordsTest(18) },
  { input: "hel\"lo${trailing}\"", env: {"hi": "hi", "space": "abc  def", "leading": "  ab c", "trailing": "ab c   "}, expected: ["helloab c   "], source: wordsTest(20) },
  { input: "hello\" there  \"", env: {"hi": "hi", "space": "abc  def", "leading": "  ab c", "trailing": "ab c   "}, expected: ["hello there  "], source: wordsTest(21) },
  { input: "hello there", env: {"hi": "hi", "space": "abc  def", "leading": "  ab c", "trailing": "ab c   "}, expected: ["hello", "there"], source: wordsTest(22) },
  { input: "hello\\ there", env: {"hi": "hi", "space": "abc  def", "leading": "  ab c", "trailing": "ab c   "}, expected: ["hello there"], source: wordsTest(23) },
  { input: "hello\" there", env: {"hi": "hi", "space": "abc  def", "leading": "  ab c", "trailing": "ab c   "}, expected: ["error"], source: wordsTest(24) },
  { input: "hello\\\" there", env: {"hi": "hi", "space": "abc  def", "leading": "  ab c", "trailing": "ab c   "}, expected: ["hello\"", "there"], source: wordsTest(25) },
  { input: "hello\"\\\\there\"", env: {"hi": "hi", "space": "abc  def", "leading": "  ab c", "trailing": "ab c   "}, expected: ["hello\\there"], source: wordsTest(26) },
  { input: "hello\"\\there\"", env: {"hi": "hi", "space": "abc  def", "leading": "  ab c", "trailing": "ab c   "}, expected: ["hello\\there"], source: wordsTest(27) },
  { input: "hello'\\\\there'", env: {"hi": "hi", "space": "abc  def", "leading": "  ab c", "trailing": "ab c   "}, expected: ["hello\\\\there"], source: wordsTest(28) },
  { input: "hello'\\there'", env: {"hi": "hi", "space": "abc  def", "leading": "  ab c", "trailing": "ab c   "}, expected: ["hello\\there"], source: wordsTest(29) },
  { input: "hello'$there'", env: {"hi": "hi", "space": "abc  def", "leading": "  ab c", "trailing": "ab c   "}, expected: ["hello$there"], source: wordsTest(30) },
]

export const MANDATORY_ENV_VARS: WordCase[] = [
  { input: "${VAR:?message here$ARG}", env: { VAR: "plain", ARG: "x" }, expected: "plain", source: lexTest("TestShellParserMandatoryEnvVars", 64) },
  { input: "${VAR:?message here$ARG}", env: { VAR: "", ARG: "x" }, expected: "error:message herex", source: lexTest("TestShellParserMandatoryEnvVars", 68) },
  { input: "${VAR:?message here$ARG}", env: { ARG: "x" }, expected: "error:message herex", source: lexTest("TestShellParserMandatoryEnvVars", 71) },
  { input: "${VAR?message here$ARG}", env: { VAR: "plain", ARG: "x" }, expected: "plain", source: lexTest("TestShellParserMandatoryEnvVars", 75) },
  { input: "${VAR?message here$ARG}", env: { VAR: "", ARG: "x" }, expected: "", source: lexTest("TestShellParserMandatoryEnvVars", 79) },
  { input: "${VAR?message here$ARG}", env: { ARG: "x" }, expected: "error:message herex", source: lexTest("TestShellParserMandatoryEnvVars", 83) },
]

const RELEASE = "something-${VERSION}.${TARGETOS}-${TARGETARCH}${TARGETVARIANT:+-${TARGETVARIANT}}.tar.gz"
export const MATCHES_PLATFORM: WordCase[] = [
  { input: RELEASE, env: { VERSION: "v1.2.3" }, targetPlatform: "linux/arm/v7", expected: "something-v1.2.3.linux-arm-v7.tar.gz", source: lexTest("TestProcessWithMatchesPlatform", 622) },
  { input: RELEASE, env: { VERSION: "v1.2.3" }, targetPlatform: "linux/arm64", expected: "something-v1.2.3.linux-arm64.tar.gz", source: lexTest("TestProcessWithMatchesPlatform", 631) },
  // TARGETVARIANT unset in BuildKit's third check; an engine always sets the automatic args, so it is "" here (same result)
  { input: RELEASE, env: { VERSION: "v1.2.3" }, targetPlatform: "linux/arm64", expected: "something-v1.2.3.linux-arm64.tar.gz", source: lexTest("TestProcessWithMatchesPlatform", 640) },
]

/**
 * issue 14: gohugoio/hugo's Dockerfile has `ARG DART_ARCH=${TARGETARCH/amd64/x64}`; BuildKit's
 * ${VAR/pattern/replacement} (lex_test.go TestProcessWithMatches, lines 521–547) gives x64 on amd64
 * and the arch unchanged elsewhere.
 */
export const ISSUE_CASES: WordCase[] = [
  { input: "${TARGETARCH/amd64/x64}", env: {}, targetPlatform: "linux/amd64", expected: "x64", source: { ref: "issue-14", file: "issue 14", test: "gohugoio/hugo ARG DART_ARCH=${TARGETARCH/amd64/x64} on linux/amd64" } },
  { input: "${TARGETARCH/amd64/x64}", env: {}, targetPlatform: "linux/arm64", expected: "arm64", source: { ref: "issue-14", file: "issue 14", test: "gohugoio/hugo ARG DART_ARCH=${TARGETARCH/amd64/x64} on linux/arm64" } },
  { input: "${TARGETPLATFORM//\\//-}", env: {}, targetPlatform: "linux/arm/v7", expected: "linux-arm-v7", source: { ref: "issue-14", file: "issue 14", test: "${VAR//…}: every match replaced (as lex_test.go:547 \\/ in a pattern)" } },
]

// ---------------------------------------------------------------------------------------------
// verdicts of the cases that did not agree in phase 1 (all our bugs), keyed by input

const LEX = "modules/toolchains/dockerfile/words.ts expandWord"
const FIX_ESCAPED_TRAILING: Verdict = {
  kind: "fixed",
  fn: "modules/toolchains/dockerfile/parse.ts parseDockerfile (continues)",
  why: "an escaped escape at the end of a line (`hello\\\\`) is not a continuation in BuildKit; ours continued the line, so `ARG R=hello\\\\` swallowed the next line",
}
const FIX_POSITIONAL: Verdict = {
  kind: "fixed",
  fn: `${LEX} (readName)`,
  why: "a positional parameter is all the digits after $ ($999, ${001}: unset, so empty); ours read one digit ($999 → $9 then \"99\") and rejected ${999} (\"unsupported modifier\")",
}
const FIX_SPECIAL: Verdict = {
  kind: "fixed",
  fn: `${LEX} (dollar/braced)`,
  why: "the special parameters $@ $* $# $? $- $$ $! (and ${@} … with :- / :+) are names that are never set in a Dockerfile, so they expand to \"\" (or the :- default); ours kept \"$@\" literally and rejected ${@} as a bad substitution",
}
const FIX_GLOB_ESCAPE: Verdict = {
  kind: "fixed",
  fn: "modules/toolchains/dockerfile/words.ts globTokens/trimPattern",
  why: "an escaped glob character in a # / % pattern is literal (${FOO%%\\**} trims from the first literal *); ours treated \\* as a backslash then a wildcard",
}
const FIX_REPLACE: Verdict = {
  kind: "fixed",
  fn: `${LEX} (braced: new / and // operators)`,
  why: "BuildKit supports ${VAR/pattern/replacement} (first match) and ${VAR//pattern/replacement} (every match), glob patterns, escaped / in the pattern, empty pattern = match at the start, ${VAR//x} without a second / an error; ours rejected / as an unsupported modifier (gohugoio/hugo: ARG DART_ARCH=${TARGETARCH/amd64/x64})",
}

const byInput: [Verdict, string[]][] = [
  [FIX_ESCAPED_TRAILING, ["hello\\\\", "안녕하세요\\\\"]],
  [FIX_POSITIONAL, ["999", "001"].flatMap((n) => [`$${n}`, `\${${n}}`, `\${${n}:+bbb}`, `\${${n}:-bbb}`, `$${n}aaa`, `\${${n}}aaa`, `\${${n}:+bbb}aaa`, `\${${n}:-bbb}aaa`])],
  [
    FIX_SPECIAL,
    [
      "$@@@", "$@aaa", "${@}aaa", "${@:+bbb}aaa", "${@:-bbb}aaa",
      ..."@*#?-$!".split("").flatMap((c) => [`$${c}`, `\${${c}}`, `\${${c}:+bbb}`, `\${${c}:-bbb}`]),
    ],
  ],
  [FIX_GLOB_ESCAPE, ["${FOO%%\\**}", "${FOO%%\\**\\*}"]],
  [
    FIX_REPLACE,
    [
      "${FOO/$NEEDLE/.} - ${FOO//$NEEDLE/.}", "${FOO/$NEEDLE/} - ${FOO//$NEEDLE/}", "${FOO/$NEEDLE/$REPLACEMENT} - ${FOO//$NEEDLE/$REPLACEMENT}",
      "${FOO/$NEEDLE/$REPLACEMENT}", "${FOO//\\//\\/}", "${FOO/$BAR/ww}", "${FOO///}", "${TARGETARCH/amd64/x64}", "${TARGETPLATFORM//\\//-}",
    ],
  ],
]

/** Verdicts of cases that do not agree, keyed by input. */
export const SHELL_VERDICTS: Record<string, { verdict: Verdict; ours?: string }> = Object.fromEntries(
  byInput.flatMap(([verdict, inputs]) => inputs.map((i) => [i, { verdict }])),
)

// ---------------------------------------------------------------------------------------------
// Differences we keep (README: where we differ). BuildKit's values here come from running its
// lexer (frontend/dockerfile/shell at REFS.buildkit.commit, built outside this repository) on the
// input, as issue 14 asks ("their code run on the inputs").

export interface KeptWordCase {
  name: string
  op: "word" | "words"
  input: string
  env: Record<string, string>
  /** BuildKit's result (ProcessWord: the value; ProcessWords: the words). */
  buildkit: string | string[]
  /** Ours: the value or words, or "error:<text in the message>". */
  ours: string | string[]
  source: Source
  verdict: Verdict
}

const KEEP_WORDS_PREFIX: Verdict = {
  kind: "keep",
  exception: "words-keep-text-before-modifier",
  why: "BuildKit's ProcessWords (EXPOSE ports, heredoc openers) drops the text before a ${VAR<modifier>…} in the same word: the nested read of the modifier's operand resets the word buffer it shares; ProcessWord (every other instruction) is unaffected. We keep the text, as ProcessWord does",
}

export const KEPT_WORD_CASES: KeptWordCase[] = [
  {
    name: "text before ${x:-a} in a word (ProcessWords)",
    op: "words",
    input: "hello${x:-a}b",
    env: {},
    buildkit: ["ab"],
    ours: ["helloab"],
    source: { ref: "buildkit", file: `${SHELL}/lex.go`, test: "processStopOn: sw.wordsBuffer.Reset() on the buffer nested calls share", line: 173 },
    verdict: KEEP_WORDS_PREFIX,
  },
  {
    name: "EXPOSE 80${P:+/tcp} (ProcessWords of the port)",
    op: "words",
    input: "80${P:+/tcp}",
    env: { P: "1" },
    buildkit: ["/tcp"],
    ours: ["80/tcp"],
    source: { ref: "buildkit", file: `${SHELL}/lex.go`, test: "processStopOn: sw.wordsBuffer.Reset() on the buffer nested calls share", line: 173 },
    verdict: KEEP_WORDS_PREFIX,
  },
  {
    name: "${…} nested 501 deep",
    op: "word",
    input: "${A:-".repeat(501) + "y" + "}".repeat(501),
    env: {},
    buildkit: "y",
    ours: "error:nested more than 500 deep",
    source: { ref: "buildkit", file: `${SHELL}/lex.go`, test: "processDollar → processStopOn recursion, no limit", line: 385 },
    verdict: {
      kind: "keep",
      exception: "nesting-limit",
      why: "each ${…} inside a ${…} operand recurses; Go's stack grows, a JavaScript stack overflows, so we stop at 500 levels with an input error (no real Dockerfile nests more than a few)",
    },
  },
]
