//! Is a process on this host alive? Used to tell a dead outbox claim holder from a live one.

/// This machine's host name, when it can be read (Linux: the kernel's; elsewhere the
/// `HOSTNAME` / `COMPUTERNAME` variables).
pub(crate) fn host_name() -> Option<String> {
    let from_kernel = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_string());
    from_kernel
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
}

/// Whether process `pid` of this host is alive: `Some(false)` when it is certainly gone (no
/// such process, or a zombie), `Some(true)` when it exists, `None` when this platform cannot
/// tell (then only the heartbeat decides).
pub(crate) fn process_alive(pid: u32) -> Option<bool> {
    let proc_root = std::path::Path::new("/proc");
    if !proc_root.join("self").exists() {
        return None;
    }
    match std::fs::read_to_string(proc_root.join(pid.to_string()).join("stat")) {
        // The state follows the command name in parentheses: `pid (comm) S ...`.
        Ok(stat) => {
            let state = stat
                .rfind(')')
                .and_then(|i| stat[i + 1..].split_whitespace().next());
            Some(!matches!(state, Some("Z" | "X" | "x")))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some(false),
        Err(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_a_reaped_child_is_not() {
        if process_alive(std::process::id()).is_none() {
            return; // no /proc here
        }
        assert_eq!(process_alive(std::process::id()), Some(true));
        let Ok(mut child) = std::process::Command::new("true").spawn() else {
            return;
        };
        let pid = child.id();
        let _ = child.wait();
        assert_eq!(process_alive(pid), Some(false));
    }
}
