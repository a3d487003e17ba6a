//! RFC 8785 JSON Canonicalization Scheme (JCS).
//!
//! Decides the one byte string a JSON value signs as: object members sorted by the UTF-16 code
//! units of their names, no whitespace, strings escaped as ECMAScript `JSON.stringify` escapes
//! them, and numbers written as ECMAScript's `Number.prototype.toString` writes an IEEE-754 double
//! (RFC 8785 §3.2.2.3). Written here rather than taken from a crate so the number rule is ours to
//! test against the RFC's examples (see the tests; `serde_jcs` was not adopted, see
//! docs/certification.md).
//!
//! Integers beyond ±2^53 are canonicalised as the nearest double, exactly as JCS prescribes (a
//! JCS document should not carry them); non-finite numbers cannot occur in a `serde_json::Value`.

use serde_json::Value;

/// The RFC 8785 canonical form of `value`, as UTF-8 text.
///
/// ```
/// use edupulse_core::certify::jcs::canonicalize;
/// let v = serde_json::json!({"b": [1e21, 0.000001, 1.5e-7], "a": "\u{20ac}\n"});
/// assert_eq!(canonicalize(&v), "{\"a\":\"€\\n\",\"b\":[1e+21,0.000001,1.5e-7]}");
/// ```
pub fn canonicalize(value: &Value) -> String {
    let mut out = String::new();
    write_value(value, &mut out);
    out
}

fn write_value(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            // u64/i64 outside the exactly-representable range become the nearest double, as in
            // ECMAScript; `as_f64` is always Some without arbitrary_precision.
            let x = n.as_f64().unwrap_or(0.0);
            out.push_str(&format_number(x));
        }
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut keys: Vec<(&String, Vec<u16>)> = map
                .keys()
                .map(|k| (k, k.encode_utf16().collect()))
                .collect();
            keys.sort_by(|a, b| a.1.cmp(&b.1));
            out.push('{');
            for (i, (k, _)) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(k, out);
                out.push(':');
                if let Some(v) = map.get(*k) {
                    write_value(v, out);
                }
            }
            out.push('}');
        }
    }
}

/// Strings as ECMAScript `JSON.stringify` writes them (RFC 8785 §3.2.2.2): `\"`, `\\`, the
/// short escapes `\b \f \n \r \t`, other controls below U+0020 as `\u00xx` (lower-case hex), and
/// everything else, non-ASCII included, as itself.
fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The shortest round-tripping decimal digits of a positive finite `x` (no leading or trailing
/// zeros) and `n` such that `x = 0.d1d2…dk × 10^n`. Ryu breaks ties between two equally close
/// shortest candidates to even, as ECMAScript requires; Rust's `{:e}` does not (RFC 8785
/// Appendix B's `1424953923781206.2` case).
fn shortest_digits(x: f64) -> (String, i32) {
    let mut buf = ryu::Buffer::new();
    let text = buf.format_finite(x);
    let (mantissa, exp) = match text.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i32>().unwrap_or(0)),
        None => (text, 0),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all: String = format!("{int_part}{frac_part}");
    // value = 0.<all> × 10^(len(int_part) + exp)
    let mut n = int_part.len() as i32 + exp;
    let trimmed_lead = all.trim_start_matches('0');
    n -= (all.len() - trimmed_lead.len()) as i32;
    let digits = trimmed_lead.trim_end_matches('0').to_string();
    (digits, n)
}

/// ECMAScript `Number::toString(x)` for a finite double (ECMA-262 §6.1.6.1.20), which RFC 8785
/// §3.2.2.3 adopts. [`shortest_digits`] gives the shortest round-tripping digits (the `k`, `n` and `s` of
/// the ECMAScript algorithm); the layout rules below follow the specification step by step.
pub fn format_number(x: f64) -> String {
    if x == 0.0 {
        return "0".to_string(); // also -0
    }
    if !x.is_finite() {
        // Not reachable from serde_json values; JCS forbids NaN/Infinity.
        return "null".to_string();
    }
    let (digits, n) = shortest_digits(x.abs());
    let k = digits.len() as i32;
    let mut s = String::new();
    if x < 0.0 {
        s.push('-');
    }
    if k <= n && n <= 21 {
        s.push_str(&digits);
        s.extend(std::iter::repeat_n('0', (n - k) as usize));
    } else if 0 < n && n <= 21 {
        s.push_str(&digits[..n as usize]);
        s.push('.');
        s.push_str(&digits[n as usize..]);
    } else if -6 < n && n <= 0 {
        s.push_str("0.");
        s.extend(std::iter::repeat_n('0', (-n) as usize));
        s.push_str(&digits);
    } else {
        let e = n - 1;
        let sign = if e < 0 { '-' } else { '+' };
        s.push_str(&digits[..1]);
        if k > 1 {
            s.push('.');
            s.push_str(&digits[1..]);
        }
        s.push('e');
        s.push(sign);
        s.push_str(&e.abs().to_string());
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 8785 Appendix B: IEEE-754 bit patterns and their canonical text.
    #[test]
    fn rfc8785_appendix_b_numbers() {
        let cases: &[(u64, &str)] = &[
            (0x0000000000000000, "0"),
            (0x8000000000000000, "0"),
            (0x0000000000000001, "5e-324"),
            (0x8000000000000001, "-5e-324"),
            (0x7fefffffffffffff, "1.7976931348623157e+308"),
            (0xffefffffffffffff, "-1.7976931348623157e+308"),
            (0x4340000000000000, "9007199254740992"),
            (0xc340000000000000, "-9007199254740992"),
            (0x4430000000000000, "295147905179352830000"),
            (0x44b52d02c7e14af5, "9.999999999999997e+22"),
            (0x44b52d02c7e14af6, "1e+23"),
            (0x44b52d02c7e14af7, "1.0000000000000001e+23"),
            (0x444b1ae4d6e2ef4e, "999999999999999700000"),
            (0x444b1ae4d6e2ef4f, "999999999999999900000"),
            (0x444b1ae4d6e2ef50, "1e+21"),
            (0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"),
            (0x3eb0c6f7a0b5ed8d, "0.000001"),
            (0x41b3de4355555553, "333333333.3333332"),
            (0x41b3de4355555554, "333333333.33333325"),
            (0x41b3de4355555555, "333333333.3333333"),
            (0x41b3de4355555556, "333333333.3333334"),
            (0x41b3de4355555557, "333333333.33333343"),
            (0xbecbf647612f3696, "-0.0000033333333333333333"),
            (0x43143ff3c1cb0959, "1424953923781206.2"),
        ];
        for (bits, want) in cases {
            assert_eq!(
                format_number(f64::from_bits(*bits)),
                *want,
                "bits {bits:016x}"
            );
        }
    }

    /// RFC 8785 §3.2.2 example (numbers, string escapes and literals).
    #[test]
    fn rfc8785_section_3_2_2_example() {
        let input = r#"{
          "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
          "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
          "literals": [null, true, false]
        }"#;
        let v: Value = serde_json::from_str(input).unwrap();
        let want = "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],\"string\":\"€$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}";
        assert_eq!(canonicalize(&v), want);
    }

    /// RFC 8785 §3.2.3: sorting by UTF-16 code units, not by UTF-8 bytes or code points.
    #[test]
    fn rfc8785_section_3_2_3_sorting() {
        let input = "{\"\\u20ac\": \"Euro Sign\", \"\\r\": \"Carriage Return\", \"\\ufb33\": \"Hebrew Letter Dalet With Dagesh\", \"1\": \"One\", \"\\ud83d\\ude00\": \"Emoji: Grinning Face\", \"\\u0080\": \"Control\", \"\\u00f6\": \"Latin Small Letter O With Diaeresis\"}";
        let v: Value = serde_json::from_str(input).unwrap();
        let c = canonicalize(&v);
        let order: Vec<&str> = [
            "Carriage Return",
            "One",
            "Control",
            "Latin Small Letter O With Diaeresis",
            "Euro Sign",
            "Emoji: Grinning Face",
            "Hebrew Letter Dalet With Dagesh",
        ]
        .to_vec();
        let pos: Vec<usize> = order.iter().map(|s| c.find(s).unwrap()).collect();
        assert!(pos.windows(2).all(|w| w[0] < w[1]), "{c}");
    }

    #[test]
    fn integers_and_small_values() {
        let v = serde_json::json!([0, -1, 42, 1.0, -0.5, 100, 1e20, 1e-6, 1e-7, 123e-20]);
        assert_eq!(
            canonicalize(&v),
            "[0,-1,42,1,-0.5,100,100000000000000000000,0.000001,1e-7,1.23e-18]"
        );
    }
}
