//! The mobile steps: the Android manifest linked by `aapt` against Android's resource table,
//! bindings made from the library, the Kotlin suite on the JVM, the Swift suite in a Debian
//! trixie root, and the size of the phone library.
//!
//! Invariant: the manifest `aapt` checks is the source manifest with only the package Gradle
//! would give it (the `namespace` of `app/build.gradle.kts`), on the same line; the bindings are
//! generated from the unstripped library the suites then load, and checked against its symbols;
//! each suite runs in a process group of its own that is killed when it ends (so no council
//! server it started outlives it), and `/proc` mounted in the trixie root is unmounted again,
//! whether the suite passed or failed.

use std::{
    collections::BTreeSet,
    fs,
    os::unix::process::CommandExt,
    path::{Path, PathBuf},
    process::Command,
};

use anyhow::{Context, Result, bail};

use crate::{cargo, counted, root, status, target_dir, tools::ProcMounted};

/// What the suites need from a build: the library, its bindings, and the council server.
pub struct Built {
    pub library: PathBuf,
    pub bindings: PathBuf,
    pub server: PathBuf,
}

/// The library's file name on this platform (`libdoorstep_mobile.so` on Linux).
pub fn library_name() -> String {
    format!(
        "{}doorstep_mobile{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    )
}

/// The Android app's manifest, as a relative path and a file.
const MANIFEST: &str = "mobile/android/app/src/main/AndroidManifest.xml";

/// Link the Android manifest with `aapt` against Android's own resource table, as the Android
/// build does (every attribute must be one Android has, every value of its type, every `@`
/// reference one that exists), and read the packaged manifest back: it must have an activity
/// the launcher opens. One test, counted as passed or failed.
pub fn android_manifest(framework_res: &Path) -> Result<(u64, u64)> {
    println!(
        "==> the Android manifest, linked by aapt against {}",
        framework_res.display()
    );
    let failed = match link_manifest(framework_res) {
        Ok(launched) => {
            println!("{MANIFEST}: links, and the launcher opens {launched}");
            false
        }
        Err(problem) => {
            println!("{MANIFEST}: {problem:#}");
            true
        }
    };
    println!(
        "Android manifest: {} passed, {} failed",
        u64::from(!failed),
        u64::from(failed)
    );
    Ok((u64::from(!failed), u64::from(failed)))
}

/// The activity the launcher opens, once `aapt` has packaged the manifest; what is wrong otherwise.
fn link_manifest(framework_res: &Path) -> Result<String> {
    let gradle = fs::read_to_string(root().join("mobile/android/app/build.gradle.kts"))?;
    let setting = |name: &str| {
        gradle
            .lines()
            .find_map(|line| line.trim().strip_prefix(name)?.trim().strip_prefix('='))
            .map(|value| value.trim().trim_matches('"').to_owned())
            .with_context(|| format!("app/build.gradle.kts sets no {name}"))
    };
    let (namespace, min_sdk, target_sdk) = (
        setting("namespace")?,
        setting("minSdk")?,
        setting("targetSdk")?,
    );
    let source = fs::read_to_string(root().join(MANIFEST))?;
    if source.contains(" package=") {
        bail!(
            "the manifest names its package; Gradle takes it from the namespace in app/build.gradle.kts"
        );
    }
    let manifest = source.replacen(
        "<manifest ",
        &format!("<manifest package=\"{namespace}\" "),
        1,
    );
    let dir = target_dir().join("android-manifest");
    if dir.exists() {
        fs::remove_dir_all(&dir)?;
    }
    fs::create_dir_all(&dir)?;
    let copy = dir.join("AndroidManifest.xml");
    fs::write(&copy, manifest)?;
    let apk = dir.join("manifest-check.apk");
    let output = Command::new("aapt")
        .args(["package", "-f", "-M"])
        .arg(&copy)
        .arg("-I")
        .arg(framework_res)
        .args([
            "--min-sdk-version",
            &min_sdk,
            "--target-sdk-version",
            &target_sdk,
            "-F",
        ])
        .arg(&apk)
        .output()
        .context("starting aapt")?;
    if !output.status.success() {
        let said =
            String::from_utf8_lossy(&output.stderr).replace(&copy.display().to_string(), MANIFEST);
        bail!("aapt refused it:\n{}", said.trim());
    }
    let output = Command::new("aapt")
        .args(["dump", "badging"])
        .arg(&apk)
        .output()
        .context("starting aapt")?;
    let badging = String::from_utf8_lossy(&output.stdout);
    badging
        .lines()
        .find_map(|line| line.strip_prefix("launchable-activity: name='"))
        .and_then(|rest| rest.split('\'').next())
        .map(str::to_owned)
        .context("it has no activity the launcher opens (MAIN and LAUNCHER)")
}

/// Build the library (debug: unstripped) and the generator, write the Kotlin and Swift bindings
/// into `<target>/bindings/`, and check that they name only what the library exports.
pub fn bindings() -> Result<Built> {
    let mut build = cargo();
    build.args([
        "build",
        "-p",
        "doorstep-mobile",
        "-p",
        "doorstep-bindgen",
        "-p",
        "doorstep-server",
    ]);
    status(
        build,
        "building doorstep-mobile, its binding generator and the server",
    )?;
    let debug = target_dir().join("debug");
    let library = debug.join(library_name());
    let out = target_dir().join("bindings");
    for language in ["kotlin", "swift"] {
        let dir = out.join(language);
        if dir.exists() {
            fs::remove_dir_all(&dir).with_context(|| format!("clearing {}", dir.display()))?;
        }
        let mut generate = Command::new(debug.join("doorstep-bindgen"));
        generate
            .args([
                "generate",
                "--no-format",
                "--language",
                language,
                "--out-dir",
            ])
            .arg(&dir)
            .arg(&library);
        status(generate, &format!("generating the {language} bindings"))?;
        check_against_library(&dir, &library)?;
    }
    println!("bindings in {}", out.display());
    Ok(Built {
        library,
        bindings: out,
        server: debug.join("doorstep-server"),
    })
}

/// The crates whose types the phone library exports, each a uniffi namespace of its own (a
/// Kotlin package, a Swift file with its C module): the phone face, the core's own types and the
/// protocol's.
const NAMESPACES: [&str; 3] = ["doorstep_mobile", "doorstep_core", "doorstep_protocol"];

/// Every FFI function the generated files call must be one the library defines.
fn check_against_library(dir: &Path, library: &Path) -> Result<()> {
    let output = Command::new("nm")
        .args(["-D", "--defined-only", "--format=just-symbols"])
        .arg(library)
        .output()
        .context("running nm (binutils) on the library")?;
    if !output.status.success() {
        bail!("nm could not read {}", library.display());
    }
    let defined: BTreeSet<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_owned)
        .collect();
    let mut named = BTreeSet::new();
    for file in files_under(dir)? {
        let text = fs::read_to_string(&file)?;
        for word in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
            if NAMESPACES.iter().any(|namespace| {
                word.starts_with(&format!("uniffi_{namespace}_"))
                    || word.starts_with(&format!("ffi_{namespace}_"))
            }) {
                named.insert(word.to_owned());
            }
        }
    }
    let missing: Vec<&String> = named.difference(&defined).collect();
    if named.is_empty() || !missing.is_empty() {
        bail!(
            "the bindings in {} do not match {}: {} functions named, missing {:?}",
            dir.display(),
            library.display(),
            named.len(),
            missing
        );
    }
    println!(
        "{}: all {} functions it calls are in the library",
        dir.display(),
        named.len()
    );
    Ok(())
}

fn files_under(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            files.extend(files_under(&path)?);
        } else {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

fn with_extension(dir: &Path, extension: &str) -> Result<Vec<PathBuf>> {
    Ok(files_under(dir)?
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == extension))
        .collect())
}

/// Run a suite in a process group of its own, count its `N passed, N failed` line, and kill
/// whatever of the group is left (a server a crashed runner could not stop).
fn suite(mut command: Command) -> Result<(u64, u64)> {
    command.process_group(0);
    counted(&mut command, |pid| {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{pid}")])
            .stderr(std::process::Stdio::null())
            .status();
    })
}

/// Compile the Kotlin bindings, the Android shell's shared layer and the runner with the Kotlin 2
/// compiler, and run the journey on the JVM with the real library.
pub fn kotlin(built: &Built, compiler: &Path) -> Result<(u64, u64)> {
    let jna = PathBuf::from("/usr/share/java/jna.jar");
    if !jna.exists() {
        bail!("JNA is missing: {} is not there", jna.display());
    }
    let lib = compiler.join("lib");
    let classes = target_dir().join("kotlin-tests");
    if classes.exists() {
        fs::remove_dir_all(&classes)?;
    }
    let mobile = root().join("mobile");
    let mut sources = with_extension(&built.bindings.join("kotlin"), "kt")?;
    sources.extend(with_extension(&mobile.join("android/shared"), "kt")?);
    sources.extend(with_extension(&mobile.join("tests/kotlin"), "kt")?);
    let compile_path = format!(
        "{}:{}",
        jna.display(),
        lib.join("kotlinx-coroutines-core-jvm.jar").display()
    );
    let mut compile = Command::new(compiler.join("bin/kotlinc"));
    compile
        .args(["-nowarn", "-cp", &compile_path, "-d"])
        .arg(&classes)
        .args(&sources);
    status(
        compile,
        "compiling the Kotlin bindings, shared layer and tests",
    )?;
    let run_path = format!(
        "{}:{compile_path}:{}",
        classes.display(),
        lib.join("kotlin-stdlib.jar").display()
    );
    let library_dir = built.library.parent().context("the library's folder")?;
    let mut run = Command::new("java");
    run.arg(format!("-Djna.library.path={}", library_dir.display()))
        .args(["-cp", &run_path, "uk.doorstep.tests.JourneyKt"])
        .env("DOORSTEP_SERVER", &built.server)
        .env("DOORSTEP_COUNCIL", root().join("assets/councils/durham"));
    println!("==> the Kotlin journey");
    suite(run)
}

/// Copy files into `to`, each under its own name.
fn copy_files(from: &[PathBuf], to: &Path) -> Result<()> {
    fs::create_dir_all(to)?;
    for file in from {
        let name = file.file_name().context("a file name")?;
        fs::copy(file, to.join(name)).with_context(|| format!("copying {}", file.display()))?;
    }
    Ok(())
}

/// Compile the Swift bindings, the iOS shell's non-UI layer and the runner with `swiftc` in the
/// Debian trixie root, and run the journey there with the real library and server.
pub fn swift(built: &Built, swift_root: &Path) -> Result<(u64, u64)> {
    // The journey's folder, relative to the root (chroot starts its command at the root); one
    // per run, so two runs sharing the root do not take each other's files.
    let inside = format!("tmp/doorstep-swift-tests-{}", std::process::id());
    let work = swift_root.join(&inside);
    if work.exists() {
        fs::remove_dir_all(&work)?;
    }
    let mobile = root().join("mobile");
    let shell = with_extension(&mobile.join("ios/Shared"), "swift")?;
    let bindings = files_under(&built.bindings.join("swift"))?;
    copy_files(&bindings, &work)?;
    copy_files(&shell, &work.join("Shared"))?;
    let journeys = with_extension(&mobile.join("tests/swift"), "swift")?;
    copy_files(&journeys, &work)?;
    copy_files(&[built.library.clone(), built.server.clone()], &work)?;
    copy_files(
        &files_under(&root().join("assets/councils/durham"))?,
        &work.join("council"),
    )?;
    // The core checks certificates against the system's roots, which a minimal root lacks:
    // the machine's own bundle goes in beside the journey.
    let roots = Path::new("/etc/ssl/certs/ca-certificates.crt");
    if roots.exists() {
        copy_files(&[roots.to_path_buf()], &work)?;
    }
    let named = |extension: &str| {
        bindings
            .iter()
            .filter(|f| f.extension().is_some_and(|e| e == extension))
            .filter_map(|f| f.file_name())
            .map(|name| name.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
    };
    let mut sources = named("swift");
    sources.extend(
        shell
            .iter()
            .filter_map(|f| f.file_name())
            .map(|name| format!("Shared/{}", name.to_string_lossy())),
    );
    sources.extend(
        journeys
            .iter()
            .filter_map(|f| f.file_name())
            .map(|name| name.to_string_lossy().into_owned()),
    );
    let dir = "$dir";
    let script = format!(
        "cd {inside} && dir=$(pwd) && swiftc -module-name Journey -module-cache-path {dir}/module-cache \
         {module_maps} -I {dir} -L {dir} -ldoorstep_mobile {sources} -o journey && echo 'compiled the Swift journey' && \
         DOORSTEP_SERVER={dir}/doorstep-server DOORSTEP_COUNCIL={dir}/council \
         SSL_CERT_FILE={dir}/ca-certificates.crt LD_LIBRARY_PATH={dir} ./journey",
        sources = sources.join(" "),
        module_maps = named("modulemap")
            .iter()
            .map(|map| format!("-Xcc -fmodule-map-file={dir}/{map}"))
            .collect::<Vec<_>>()
            .join(" "),
    );
    let mounted = ProcMounted::at(swift_root)?;
    let mut run = Command::new("chroot");
    run.arg(swift_root).args(["/bin/sh", "-c", &script]);
    println!("==> the Swift journey (swiftc in {})", swift_root.display());
    let counts = suite(run);
    drop(mounted);
    fs::remove_dir_all(&work)?;
    counts
}
