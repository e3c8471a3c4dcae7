//! The tools the tests need beyond the Rust toolchain: Debian packages, and the tools kept in
//! the cache folder (tauri-driver, cargo-fuzz, schemathesis, the Kotlin compiler, the Debian
//! trixie root holding Swift).
//!
//! Invariant: a cached tool is trusted only when the folder it lives in was made by the recipe
//! in force and it passes its check now. Each tool's folder is named by a key of its recipe
//! (the commands, versions, package lists and lock files that decide what gets made), so a
//! changed recipe makes a new folder and never reuses what an older one left; the recipe is
//! written in the folder only once what it made has passed its check, so a run stopped half-way
//! leaves nothing that is trusted; and a tool whose check fails is made again from nothing.
//! The cache is `$DOORSTEP_CACHE`, else `$HOME/.cache/doorstep` — outside the clone, so that
//! it is reused between runs on one machine.

use std::{
    fs,
    path::{Path, PathBuf},
    process::Command,
};

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};

use crate::{root, status};

/// The folder every cached tool lives under.
pub fn cache_dir() -> PathBuf {
    if let Some(cache) = std::env::var_os("DOORSTEP_CACHE") {
        return PathBuf::from(cache);
    }
    std::env::var_os("HOME")
        .map_or_else(std::env::temp_dir, PathBuf::from)
        .join(".cache/doorstep")
}

/// What decides what a cached tool is: the folder's name, and every ingredient whose change
/// must make the tool anew.
struct Recipe {
    name: &'static str,
    ingredients: Vec<String>,
}

impl Recipe {
    fn new(name: &'static str, ingredients: &[&str]) -> Recipe {
        Recipe {
            name,
            ingredients: ingredients.iter().map(|&i| i.to_owned()).collect(),
        }
    }

    /// The ingredients as one text, as the folder keeps it once the tool has passed its check.
    fn text(&self) -> String {
        let mut text = String::new();
        for ingredient in &self.ingredients {
            text.push_str(ingredient);
            text.push('\n');
        }
        text
    }

    /// The first 16 hex digits of the SHA-256 of the recipe.
    fn key(&self) -> String {
        let digest = Sha256::digest(format!("{}\n{}", self.name, self.text()));
        digest[..8].iter().map(|b| format!("{b:02x}")).collect()
    }

    fn folder_name(&self) -> String {
        format!("{}-{}", self.name, self.key())
    }
}

/// The file in a tool's folder that holds its recipe once the tool passed its check.
const RECIPE_FILE: &str = ".doorstep-recipe";

/// The folder of the tool `recipe` makes: the cached one when it was made by this recipe and
/// passes `check`, else one made now by `make` (into an empty folder) and checked. Folders made
/// by other recipes of the same tool are removed.
fn made(
    recipe: &Recipe,
    make: impl FnOnce(&Path) -> Result<()>,
    check: impl Fn(&Path) -> Result<()>,
) -> Result<PathBuf> {
    made_in(&cache_dir(), recipe, make, check)
}

/// `made`, in the cache folder `cache`.
fn made_in(
    cache: &Path,
    recipe: &Recipe,
    make: impl FnOnce(&Path) -> Result<()>,
    check: impl Fn(&Path) -> Result<()>,
) -> Result<PathBuf> {
    let folder = cache.join(recipe.folder_name());
    let recipe_file = folder.join(RECIPE_FILE);
    if fs::read_to_string(&recipe_file).is_ok_and(|text| text == recipe.text()) {
        match check(&folder) {
            Ok(()) => return Ok(folder),
            Err(error) => println!(
                "the cached {} fails its check ({error:#}): making it again",
                recipe.name
            ),
        }
    }
    fs::create_dir_all(cache).with_context(|| format!("making {}", cache.display()))?;
    for entry in fs::read_dir(cache)? {
        let path = entry?.path();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        if name.is_some_and(|n| {
            n.strip_prefix(recipe.name)
                .is_some_and(|k| k.starts_with('-'))
        }) {
            remove_folder(&path)?;
        }
    }
    fs::create_dir_all(&folder)?;
    make(&folder).with_context(|| format!("making the {}", recipe.name))?;
    check(&folder).with_context(|| {
        format!(
            "the {} just made by its recipe fails its check",
            recipe.name
        )
    })?;
    fs::write(&recipe_file, recipe.text())?;
    Ok(folder)
}

/// Remove a folder of the cache (or a file), first unmounting anything a stopped run left
/// mounted in it.
pub fn remove_folder(folder: &Path) -> Result<()> {
    let mounts = fs::read_to_string("/proc/mounts").unwrap_or_default();
    let mut inside: Vec<&str> = mounts
        .lines()
        .filter_map(|line| line.split_whitespace().nth(1))
        .filter(|point| Path::new(point).starts_with(folder))
        .collect();
    inside.sort_by_key(|point| std::cmp::Reverse(point.len()));
    for point in inside {
        let mut umount = Command::new("umount");
        umount.arg(point);
        status(umount, &format!("unmounting {point}"))?;
    }
    if folder.is_dir() {
        fs::remove_dir_all(folder).with_context(|| format!("removing {}", folder.display()))?;
    } else if folder.exists() {
        fs::remove_file(folder).with_context(|| format!("removing {}", folder.display()))?;
    }
    Ok(())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

/// Install the Debian packages that are missing, as root; otherwise fail with the line to run.
pub fn debian_packages(packages: &[&str], needed_by: &str) -> Result<()> {
    let missing: Vec<&str> = packages
        .iter()
        .copied()
        .filter(|package| {
            !Command::new("dpkg-query")
                .args(["-W", "-f=${Status}", package])
                .output()
                .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
        })
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    if !is_root() {
        bail!(
            "{needed_by} need these Debian packages: sudo apt-get install {}",
            missing.join(" ")
        );
    }
    let mut update = Command::new("apt-get");
    update.args(["update", "-qq"]);
    status(update, "apt-get update")?;
    let mut install = Command::new("apt-get");
    install
        .args(["install", "-y", "-qq", "--no-install-recommends"])
        .args(&missing)
        .env("DEBIAN_FRONTEND", "noninteractive");
    status(install, &format!("installing {}", missing.join(" ")))
}

/// A program that must start and exit well for its tool to be trusted.
fn answers(program: &Path, args: &[&str]) -> Result<()> {
    let output = Command::new(program)
        .args(args)
        .output()
        .with_context(|| format!("starting {}", program.display()))?;
    if !output.status.success() {
        bail!(
            "{} {} failed ({}): {}",
            program.display(),
            args.join(" "),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}

/// `cargo install` of one pinned version of a crate's binary into a tool folder.
fn cargo_installed(
    name: &'static str,
    krate: &str,
    version: &str,
    check: &[&str],
) -> Result<PathBuf> {
    let command = format!("cargo install {krate} --version ={version} --locked");
    let folder = made(
        &Recipe::new(name, &[&command]),
        |folder| {
            let mut install = Command::new("cargo");
            install
                .args(["install", krate, "--version", &format!("={version}")])
                .args(["--locked", "--root"])
                .arg(folder)
                .env_remove("CARGO_TARGET_DIR");
            status(install, &format!("installing {krate} {version}"))
        },
        |folder| answers(&folder.join("bin").join(krate), check),
    )?;
    Ok(folder.join("bin").join(krate))
}

/// tauri-driver, which drives the desktop app for its end-to-end tests (2.x: the 3.0 alphas
/// go with Tauri 3).
pub fn tauri_driver() -> Result<PathBuf> {
    cargo_installed("tauri-driver", "tauri-driver", "2.1.0", &["--help"])
}

/// cargo-fuzz, which runs the fuzz targets.
pub fn cargo_fuzz() -> Result<PathBuf> {
    cargo_installed("cargo-fuzz", "cargo-fuzz", "0.13.2", &["--version"])
}

/// Schemathesis in a virtual environment of its own; returns its program.
pub fn schemathesis() -> Result<PathBuf> {
    const PACKAGE: &str = "schemathesis==4.32.5";
    let folder = made(
        &Recipe::new(
            "schemathesis",
            &["python3 -m venv", &format!("pip install {PACKAGE}")],
        ),
        |folder| {
            let mut venv = Command::new("python3");
            venv.args(["-m", "venv"]).arg(folder);
            status(venv, "making a Python environment for schemathesis")?;
            let mut pip = Command::new(folder.join("bin/pip"));
            pip.args(["install", "--quiet", PACKAGE]);
            status(pip, &format!("installing {PACKAGE}"))
        },
        |folder| answers(&folder.join("bin/schemathesis"), &["--version"]),
    )?;
    Ok(folder.join("bin/schemathesis"))
}

/// Debian's PostgreSQL server, whose `initdb` and `pg_ctl` make the throwaway clusters the
/// council server's PostgreSQL tests run on (`tests/src/postgres.rs`). Before installing it,
/// Debian is told not to make and start a cluster of its own: the tests start and stop theirs.
pub fn postgres_server() -> Result<()> {
    const NO_MAIN_CLUSTER: &str = "/etc/postgresql-common/createcluster.d/doorstep.conf";
    let installed = Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", "postgresql"])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"));
    if !installed && is_root() {
        let path = Path::new(NO_MAIN_CLUSTER);
        fs::create_dir_all(path.parent().expect("a folder"))?;
        fs::write(
            path,
            "# The Doorstep tests start throwaway clusters of their own.\ncreate_main_cluster = false\n",
        )
        .with_context(|| format!("writing {NO_MAIN_CLUSTER}"))?;
    }
    debian_packages(&["postgresql"], "the council server's PostgreSQL tests")
}

/// Debian packages the phone suites need: JNA and a JDK for the Kotlin suite, binutils (`nm`)
/// for the bindings check, debootstrap to make the Swift root, and `aapt` with Android's own
/// resource table (`framework-res.apk`) to check the Android manifest.
const PHONE_PACKAGES: [&str; 6] = [
    "libjna-java",
    "default-jdk-headless",
    "binutils",
    "debootstrap",
    "aapt",
    "android-framework-res",
];

/// What the phone suites need, installed or made when missing.
pub struct PhoneTools {
    /// The `kotlin-compiler` package's folder (`bin/kotlinc`, `lib/`).
    pub kotlin: PathBuf,
    /// The Debian trixie root holding `swiftc`.
    pub swift_root: PathBuf,
    /// Android's resource table, `framework-res.apk`, that `aapt` links the manifest against.
    pub framework_res: PathBuf,
}

pub fn phone_tools() -> Result<PhoneTools> {
    debian_packages(&PHONE_PACKAGES, "the phone suites")?;
    Ok(PhoneTools {
        kotlin: kotlin_compiler()?,
        swift_root: swift_root()?,
        framework_res: framework_res()?,
    })
}

/// Where the Debian package `android-framework-res` put `framework-res.apk`.
fn framework_res() -> Result<PathBuf> {
    let output = Command::new("dpkg")
        .args(["-L", "android-framework-res"])
        .output()
        .context("running dpkg -L android-framework-res")?;
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find(|line| line.ends_with("/framework-res.apk"))
        .map(PathBuf::from)
        .filter(|apk| apk.is_file())
        .context("android-framework-res is installed but has no framework-res.apk")
}

/// The Kotlin 2 compiler from the npm package `kotlin-compiler`, as its lock file pins it.
fn kotlin_compiler() -> Result<PathBuf> {
    let tests = root().join("mobile/kotlin-tests");
    let manifest = fs::read_to_string(tests.join("package.json"))?;
    let lock = fs::read_to_string(tests.join("package-lock.json"))?;
    let folder = made(
        &Recipe::new(
            "kotlin-compiler",
            &["npm ci --no-audit --no-fund", &manifest, &lock],
        ),
        |folder| {
            fs::write(folder.join("package.json"), &manifest)?;
            fs::write(folder.join("package-lock.json"), &lock)?;
            let mut npm = Command::new("npm");
            npm.args(["ci", "--no-audit", "--no-fund"])
                .current_dir(folder);
            status(npm, "installing the Kotlin compiler (npm ci)")
        },
        |folder| {
            answers(
                &folder.join("node_modules/kotlin-compiler/bin/kotlinc"),
                &["-version"],
            )
        },
    )?;
    Ok(folder.join("node_modules/kotlin-compiler"))
}

/// What debootstrap puts in the Swift root: Swift, and the C library's headers, without which
/// swiftc cannot build the modules Foundation imports (`sys/param.h` not found).
const SWIFT_ROOT_PACKAGES: &str = "swiftlang,libc6-dev";

/// A Debian trixie root holding Swift (Debian bookworm has none), checked by compiling and
/// running a one-line program that imports Foundation.
fn swift_root() -> Result<PathBuf> {
    let debootstrap =
        format!("debootstrap --variant=minbase --include={SWIFT_ROOT_PACKAGES} trixie");
    made(
        &Recipe::new("trixie-swift", &[&debootstrap]),
        |folder| {
            if !is_root() {
                bail!(
                    "making the Swift root needs root (debootstrap), and so does running the \
                     Swift suite in it (chroot): sudo -E cargo xtask test mobile"
                );
            }
            let sources = ["/etc/apt/sources.list"]
                .into_iter()
                .map(PathBuf::from)
                .chain(
                    fs::read_dir("/etc/apt/sources.list.d")
                        .into_iter()
                        .flatten()
                        .flatten()
                        .map(|entry| entry.path()),
                )
                .filter(|path| {
                    path.extension()
                        .is_some_and(|e| e == "list" || e == "sources")
                })
                .map(|path| {
                    let deb822 = path.extension().is_some_and(|e| e == "sources");
                    (deb822, fs::read_to_string(path).unwrap_or_default())
                })
                .collect::<Vec<_>>();
            let mirror = debian_mirror(&sources).context(
                "no Debian mirror in this machine's apt sources (/etc/apt/sources.list and \
                 /etc/apt/sources.list.d/): add one, or make the Swift root by hand",
            )?;
            let log = folder.with_extension("log");
            println!(
                "==> making a Debian trixie root with Swift in {} (a few minutes, about 0.6 GB; \
                 its log is {})",
                folder.display(),
                log.display()
            );
            let log_file = fs::File::create(&log)?;
            let ran = Command::new("debootstrap")
                .args([
                    "--variant=minbase",
                    &format!("--include={SWIFT_ROOT_PACKAGES}"),
                ])
                .arg("trixie")
                .arg(folder)
                .arg(&mirror)
                .stdout(log_file.try_clone()?)
                .stderr(log_file)
                .status()
                .context("starting debootstrap")?;
            if !ran.success() {
                bail!("debootstrap failed ({ran}); see {}", log.display());
            }
            Ok(())
        },
        check_swift,
    )
}

/// Compile and run, in the root, a program that imports Foundation (and so the C library's
/// modules), and expect what it prints.
fn check_swift(swift_root: &Path) -> Result<()> {
    if !swift_root.join("usr/bin/swiftc").exists() {
        bail!("there is no swiftc in {}", swift_root.display());
    }
    // A folder of this run's own: a check running beside another must not take its files, or
    // it would judge a sound root broken and make it again.
    let inside = format!("tmp/doorstep-swift-check-{}", std::process::id());
    let work = swift_root.join(&inside);
    remove_folder(&work)?;
    fs::create_dir_all(&work)?;
    fs::write(
        work.join("check.swift"),
        "import Foundation; print(\"Swift works: \\(ProcessInfo.processInfo.processorCount > 0)\")\n",
    )?;
    let script = format!(
        "cd /{inside} && swiftc -module-cache-path module-cache check.swift -o check && ./check"
    );
    let mounted = ProcMounted::at(swift_root)?;
    let output = Command::new("chroot")
        .arg(swift_root)
        .args(["/bin/sh", "-c", &script])
        .output()
        .context("starting chroot")?;
    drop(mounted);
    remove_folder(&work)?;
    let printed = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() || printed.trim() != "Swift works: true" {
        bail!(
            "a one-line Swift program did not compile and run ({}): {}{}",
            output.status,
            printed.trim(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}

/// The Debian mirror this machine's apt already uses, from its sources (each with whether it
/// is in the deb822 form of `*.sources`): the first that is not the security archive.
fn debian_mirror(sources: &[(bool, String)]) -> Option<String> {
    sources
        .iter()
        .flat_map(|(deb822, text)| {
            text.lines()
                .filter_map(move |line| {
                    let line = line.trim();
                    if *deb822 {
                        line.strip_prefix("URIs:")
                    } else {
                        line.strip_prefix("deb ")
                    }
                })
                .flat_map(str::split_whitespace)
                .filter(|word| word.contains("://"))
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .find(|uri| !uri.contains("security"))
}

/// `/proc` mounted in the Swift root for as long as this lives (swiftc and Foundation need it).
/// Each run mounts its own on top of any already there and unmounts only that one (the top of
/// the stack), so a run ending never takes `/proc` from another still using the root.
pub struct ProcMounted(PathBuf);

impl ProcMounted {
    pub fn at(root: &Path) -> Result<ProcMounted> {
        let proc = root.join("proc");
        let mut mount = Command::new("mount");
        mount.args(["-t", "proc", "proc"]).arg(&proc);
        status(mount, "mounting /proc in the Swift root")?;
        Ok(ProcMounted(proc))
    }
}

impl Drop for ProcMounted {
    fn drop(&mut self) {
        let unmounted = Command::new("umount").arg(&self.0).status();
        if !unmounted.is_ok_and(|s| s.success()) {
            eprintln!("could not unmount {}: unmount it by hand", self.0.display());
        }
    }
}

#[cfg(test)]
mod tests {
    use std::{cell::Cell, fs, path::Path};

    use anyhow::bail;

    use super::{Recipe, debian_mirror, made_in};

    #[test]
    fn a_cached_tool_is_trusted_only_when_its_recipe_made_it_and_it_passes_its_check() {
        let cache = std::env::temp_dir().join(format!("doorstep-tools-{}", std::process::id()));
        let _ = fs::remove_dir_all(&cache);
        let makes = Cell::new(0);
        let make = |folder: &Path| {
            makes.set(makes.get() + 1);
            fs::write(folder.join("tool"), "works")?;
            Ok(())
        };
        let works = |folder: &Path| match fs::read_to_string(folder.join("tool")) {
            Ok(text) if text == "works" => Ok(()),
            _ => bail!("the tool does not work"),
        };
        let first = Recipe::new("tool", &["install tool 1"]);
        let folder = made_in(&cache, &first, make, works).unwrap();
        assert_eq!(made_in(&cache, &first, make, works).unwrap(), folder);
        assert_eq!(
            makes.get(),
            1,
            "a cached tool that passes its check is used"
        );

        fs::write(folder.join("tool"), "broken").unwrap();
        made_in(&cache, &first, make, works).unwrap();
        assert_eq!(makes.get(), 2, "one that fails its check is made again");

        let second = Recipe::new("tool", &["install tool 2"]);
        let newer = made_in(&cache, &second, make, works).unwrap();
        assert_ne!(newer, folder);
        assert!(!folder.exists(), "the folder of the old recipe is removed");

        let third = Recipe::new("tool", &["install tool 3"]);
        let broken = |folder: &Path| {
            fs::write(folder.join("tool"), "broken")?;
            Ok(())
        };
        assert!(made_in(&cache, &third, broken, works).is_err());
        made_in(&cache, &third, make, works).unwrap();
        assert_eq!(
            makes.get(),
            4,
            "what failed its check when made is not trusted next time"
        );
        fs::remove_dir_all(&cache).unwrap();
    }

    #[test]
    fn a_changed_recipe_or_package_list_makes_a_new_folder() {
        let old = Recipe::new("trixie-swift", &["debootstrap --include=swiftlang trixie"]);
        let new = Recipe::new(
            "trixie-swift",
            &["debootstrap --include=swiftlang,libc6-dev trixie"],
        );
        assert_ne!(old.folder_name(), new.folder_name());
        assert!(new.folder_name().starts_with("trixie-swift-"));
        let same = Recipe::new(
            "trixie-swift",
            &["debootstrap --include=swiftlang,libc6-dev trixie"],
        );
        assert_eq!(new.folder_name(), same.folder_name());
        let lock = Recipe::new("kotlin-compiler", &["npm ci", "{}", "{\"lock\": 1}"]);
        let relocked = Recipe::new("kotlin-compiler", &["npm ci", "{}", "{\"lock\": 2}"]);
        assert_ne!(lock.key(), relocked.key());
    }

    #[test]
    fn the_mirror_is_found_in_deb822_sources_alone() {
        let deb822 = "Types: deb\n# a comment\nURIs: http://mirror.example/debian\nSuites: bookworm\n\n\
                      Types: deb\nURIs: http://mirror.example/debian-security\nSuites: bookworm-security\n";
        assert_eq!(
            debian_mirror(&[(true, deb822.to_owned())]).as_deref(),
            Some("http://mirror.example/debian")
        );
        let security_first =
            "URIs: http://mirror.example/debian-security\nURIs: http://other.example/debian\n";
        assert_eq!(
            debian_mirror(&[(true, security_first.to_owned())]).as_deref(),
            Some("http://other.example/debian")
        );
    }

    #[test]
    fn the_mirror_is_found_in_a_one_line_list_and_none_when_there_is_none() {
        let list = "# deb http://old.example/debian bookworm main\n\
                    deb [arch=amd64 signed-by=/k.gpg] http://list.example/debian bookworm main\n";
        assert_eq!(
            debian_mirror(&[(false, list.to_owned())]).as_deref(),
            Some("http://list.example/debian")
        );
        assert_eq!(debian_mirror(&[]), None);
        assert_eq!(debian_mirror(&[(false, "deb-src x y\n".to_owned())]), None);
    }
}
