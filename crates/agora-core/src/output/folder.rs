//! A results folder, held by one writer at a time.
//!
//! Architecture invariant: every command that writes a folder first takes
//! its [`Folder`] lock, an advisory lock on `DIR/.agora.lock` held for the
//! command's whole life; only then does it create partial files. The lock
//! dies with its process (also on `kill -9`), so an interrupted run can be
//! resumed without cleanup, and a second writer is refused at once.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::manifest::{MANIFEST, Manifest};
use crate::error::{Error, IoContext, Result};

/// The lock file inside every results folder.
pub const LOCK: &str = ".agora.lock";
/// The HTML report `agora report` draws from a results folder (a derived file: not in the manifest).
pub const REPORT: &str = "report.html";
/// Derived files a new result must not inherit from an old one.
const DERIVED: [&str; 1] = [REPORT];

/// A results folder that this process alone writes.
#[derive(Debug)]
pub struct Folder {
    dir: PathBuf,
    /// Holds the advisory lock until dropped.
    _lock: File,
}

impl Folder {
    /// Create `dir` if needed and lock it for writing. Another live writer
    /// makes this fail with [`Error::Busy`], naming that process.
    pub fn lock(dir: &Path) -> Result<Folder> {
        std::fs::create_dir_all(dir).context(|| format!("creating {}", dir.display()))?;
        let path = dir.join(LOCK);
        let mut file = open_lock(&path)?;
        // The holder writes who it is right after taking the lock, so for a
        // moment the file is empty, or still names an earlier holder that has
        // ended: wait (briefly) for the text of a live holder, so the refusal
        // names the process that really holds the folder.
        let deadline = Instant::now() + HOLDER_WAIT;
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(std::fs::TryLockError::WouldBlock) => {
                    let holder = read_holder(&mut file);
                    if holder.as_ref().is_some_and(Holder::is_alive) || Instant::now() >= deadline {
                        return Err(Error::Busy(format!(
                            "{} is being written by another agora process ({}); wait for it to finish, \
                             stop it, or choose another --out",
                            dir.display(),
                            describe_holder(holder.as_ref())
                        )));
                    }
                    std::thread::sleep(Duration::from_millis(2));
                }
                Err(std::fs::TryLockError::Error(e)) => {
                    return Err(Error::io(format!("locking {}", path.display()), e));
                }
            }
        }
        // Who holds the folder, for the message a second writer prints: one
        // write of the whole text into the emptied file, so a reader sees
        // nothing or all of it.
        let holder = format!(
            "pid {}\nhost {}\nstarted {}\ncommand {}\n",
            std::process::id(),
            hostname(),
            super::manifest::rfc3339(std::time::SystemTime::now()),
            std::env::args().collect::<Vec<_>>().join(" ")
        );
        file.set_len(0)
            .and_then(|()| file.rewind())
            .and_then(|()| file.write_all(holder.as_bytes()))
            .and_then(|()| file.flush())
            .at(&path)?;
        clear(dir)?;
        Ok(Folder {
            dir: dir.to_path_buf(),
            _lock: file,
        })
    }

    /// The folder's path.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// `DIR/name`.
    pub fn join(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Retract the result the folder holds, if any, before a new one is
    /// written: the manifest goes first (and durably), so from then on no
    /// reader takes the old files for a result; then the old files and
    /// derived files such as the report.
    pub fn retract(&self) -> Result<()> {
        let old = Manifest::read(&self.dir).ok();
        match std::fs::remove_file(self.join(MANIFEST)) {
            Ok(()) => sync_dir(&self.dir).at(&self.dir)?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(format!("removing {}", self.join(MANIFEST).display()), e)),
        }
        let listed = old.iter().flat_map(|m| m.files.iter().map(|f| f.name.clone()));
        for name in listed.chain(DERIVED.map(String::from)) {
            // Only plain names: a manifest never points outside its folder.
            if name.contains(['/', '\\']) || name.starts_with('.') {
                continue;
            }
            match std::fs::remove_file(self.join(&name)) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::io(format!("removing {}", self.join(&name).display()), e)),
            }
        }
        Ok(())
    }

    /// Write the manifest, last, and make it durable.
    pub fn publish(&self, manifest: &Manifest) -> Result<()> {
        let path = self.join(MANIFEST);
        super::atomic::write_atomic(&path, manifest.to_ron().as_bytes()).at(&path)
    }
}

/// Open (or create) the lock file `path` without following a link: the
/// file is created with exclusive create and no-follow; an existing one
/// (the lock stays between runs: removing it would let two writers lock two
/// different files) is opened with no-follow and must be a plain file with
/// a single link, so the holder's text is never written to an outside file.
fn open_lock(path: &Path) -> Result<File> {
    let refused = |e: io::Error| match e.kind() {
        io::ErrorKind::InvalidInput => Error::Input(e.to_string()),
        _ => Error::io(path.display().to_string(), e),
    };
    loop {
        match super::atomic::create_new(path) {
            Ok(file) => return Ok(file),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(refused(linked(path, e))),
        }
        let mut options = OpenOptions::new();
        options.read(true).write(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
        }
        match options.open(path) {
            Ok(file) => {
                let meta = file.metadata().at(path)?;
                #[cfg(unix)]
                let shared = {
                    use std::os::unix::fs::MetadataExt;
                    meta.nlink() != 1
                };
                #[cfg(not(unix))]
                let shared = false;
                if !meta.is_file() {
                    return Err(refused(super::atomic::planted(path, "is not a plain file")));
                }
                if shared {
                    return Err(refused(super::atomic::planted(path, "has other hard links")));
                }
                return Ok(file);
            }
            // Removed between the two attempts: create it again.
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(refused(linked(path, e))),
        }
    }
}

/// A symbolic link met with no-follow (ELOOP) as the planted-file error.
fn linked(path: &Path, e: io::Error) -> io::Error {
    #[cfg(unix)]
    if e.raw_os_error() == Some(libc::ELOOP) {
        return super::atomic::planted(path, "is a symbolic link");
    }
    let _ = path;
    e
}

/// Check a folder just locked: a results folder holds no symbolic links
/// (agora never makes one; a planted one is refused, exit 2, before
/// anything is written); one-shot partial files that an interrupted
/// writer left are removed (no writer but this one is left to finish them).
fn clear(dir: &Path) -> Result<()> {
    let entries = std::fs::read_dir(dir).context(|| format!("listing {}", dir.display()))?;
    for entry in entries {
        let entry = entry.context(|| format!("listing {}", dir.display()))?;
        let kind = entry.file_type().context(|| format!("listing {}", dir.display()))?;
        let path = entry.path();
        if kind.is_symlink() {
            let to = std::fs::read_link(&path)
                .map(|t| format!(" (to {})", t.display()))
                .unwrap_or_default();
            return Err(Error::Input(format!(
                "{}{to} is a symbolic link: agora writes a results folder only through files it creates \
                 itself; remove the link, or choose another folder",
                path.display()
            )));
        }
        let name = entry.file_name();
        if kind.is_file() && super::atomic::is_random_partial(&name.to_string_lossy()) {
            std::fs::remove_file(&path).at(&path)?;
        }
    }
    Ok(())
}

/// How long a refused writer waits for the holder to say who it is.
const HOLDER_WAIT: Duration = Duration::from_secs(2);

/// What the lock file says of the process holding the folder.
#[derive(Debug, Clone, PartialEq)]
struct Holder {
    pid: u32,
    host: Option<String>,
    started: String,
    command: String,
}

impl Holder {
    /// The text of a holder, once complete (all of it written).
    fn parse(text: &str) -> Option<Holder> {
        if !text.ends_with('\n') {
            return None;
        }
        let field = |key: &str| text.lines().find_map(|l| l.strip_prefix(key).map(str::to_string));
        Some(Holder {
            pid: field("pid ")?.trim().parse().ok()?,
            host: field("host "),
            started: field("started ")?,
            command: field("command ")?,
        })
    }

    /// Whether the holder is a live process (of another machine: assumed so).
    fn is_alive(&self) -> bool {
        match &self.host {
            Some(host) if *host != hostname() => true,
            _ => process_alive(self.pid),
        }
    }
}

fn read_holder(file: &mut File) -> Option<Holder> {
    let mut text = String::new();
    file.rewind().ok()?;
    file.read_to_string(&mut text).ok()?;
    Holder::parse(&text)
}

/// The holder as one line for a message.
fn describe_holder(holder: Option<&Holder>) -> String {
    match holder {
        None => "it has not said which".into(),
        Some(h) => {
            let host = match &h.host {
                Some(host) if *host != hostname() => format!(" on {host}"),
                _ => String::new(),
            };
            format!("pid {}{host}, started {}, command `{}`", h.pid, h.started, h.command)
        }
    }
}

/// This machine's name (empty where it cannot be read).
fn hostname() -> String {
    #[cfg(unix)]
    {
        let mut buffer = [0u8; 256];
        // SAFETY: the buffer is valid for its length; gethostname writes at most that.
        if unsafe { libc::gethostname(buffer.as_mut_ptr().cast(), buffer.len()) } == 0 {
            let end = buffer.iter().position(|&b| b == 0).unwrap_or(buffer.len());
            return String::from_utf8_lossy(&buffer[..end]).into_owned();
        }
    }
    String::new()
}

/// Whether process `pid` of this machine exists.
fn process_alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return false;
        };
        // SAFETY: signal 0 only checks that the process exists and may be signalled.
        if unsafe { libc::kill(pid, 0) } == 0 {
            return true;
        }
        // EPERM: it exists but belongs to another user.
        std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// Make the renames and removals in `dir` durable.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_is_refused_and_names_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let first = Folder::lock(dir.path()).unwrap();
        let second = Folder::lock(dir.path()).unwrap_err();
        let message = second.to_string();
        assert!(matches!(second, Error::Busy(_)), "{message}");
        assert!(message.contains(&format!("pid {}", std::process::id())), "{message}");
        assert!(message.contains("another --out"), "{message}");
        drop(first);
        Folder::lock(dir.path()).unwrap();
    }

    #[test]
    fn a_holder_is_read_only_when_complete() {
        let text = "pid 42\nhost h\nstarted 2026-01-01T00:00:00Z\ncommand agora run --seed 3\n";
        let holder = Holder::parse(text).unwrap();
        assert_eq!((holder.pid, holder.command.as_str()), (42, "agora run --seed 3"));
        assert_eq!(Holder::parse(&text[..text.len() - 1]), None, "torn");
        assert_eq!(Holder::parse(""), None, "not yet written");
        assert!(process_alive(std::process::id()));
    }
}
