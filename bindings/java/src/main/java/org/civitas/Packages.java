package org.civitas;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.civitas.internal.CivitasNative;

/**
 * Packages between departments (docs/formats/package.md; the CLI's {@code civitas package}):
 * a data package,
 * zstd-compressed, encrypted in authenticated chunks to each consumer's X25519 exchange key
 * and signed by the provider's Ed25519 key. A {@link Workspace} supplies the keys: its
 * department is the provider, consumers' exchange keys and providers' signing keys come from
 * its peer directory ({@link Workspace#importPublic}), sequence numbers and the replay memory
 * live in its database, and creating and opening are recorded in its audit log.
 *
 * <pre>{@code
 * PackageSummary made = Packages.create(tax, Path.of("out.civpkg"), List.of(MARKET),
 *     Map.of("payers", Path.of("payers.csv")), schemaJson, new Packages.Options().purpose("licensing"));
 * Packages.inspect(Path.of("out.civpkg"));                      // PackageHeader, no key needed
 * Packages.verify(market, Path.of("out.civpkg"));               // signatures, no decryption
 * Packages.open(market, Path.of("out.civpkg"), Path.of("in"));  // in/datapackage.json, in/data/…
 * }</pre>
 *
 * <p>Refusals are typed and leave no output behind: {@link BadSignatureException},
 * {@link UnknownKeyException} (provider key not among the peers), {@link NotRecipientException},
 * {@link TruncatedException}, {@link IntegrityException} (modified or reordered chunks),
 * {@link ReplayException} (opened before), {@link SchemaMismatchException} (a schema hash other
 * than the expected one), {@link InvalidDataException} (records break their schema),
 * {@link ParseException} (not a package). Results are {@link PackageSummary} and
 * {@link PackageHeader}.
 *
 * <p>The class is named {@code Packages} (as {@code java.nio.file.Files}), not
 * {@code Package}: a class {@code org.civitas.Package} would clash with {@code java.lang.Package},
 * which every Java file imports, so {@code import org.civitas.*;} would make the name ambiguous.
 *
 * <p>The static methods are thread-safe. The workspace must stay open during each call.
 */
public final class Packages {
  private Packages() {}

  /** Envelope fields and tuning of a new package ({@link #create}, {@link PackageWriter#create}). */
  public static final class Options {
    String catalog;
    String purpose;
    String approval;
    String requestHash;
    long chunkSize;
    int level = 1;
    int threads = 1;
    boolean validate = true;
    String encoding = null;

    /**
     * Check the records of every resource with a schema against it (default true); records
     * that break it refuse the package with an InvalidDataException whose report() is the
     * whole validation report, and nothing is left behind.
     */
    public Options validate(boolean validate) {
      this.validate = validate;
      return this;
    }

    /** The encoding of the resources ("gbk", "gb18030"…; null = UTF-8): transcoded, the
     *  package holds UTF-8 only. */
    public Options encoding(String encoding) {
      this.encoding = encoding;
      return this;
    }

    /** Catalog resource code. */
    public Options catalog(String code) {
      this.catalog = code;
      return this;
    }

    /** Purpose of use (conditional sharing). */
    public Options purpose(String purpose) {
      this.purpose = purpose;
      return this;
    }

    /** Approval reference (conditional sharing). */
    public Options approval(String reference) {
      this.approval = reference;
      return this;
    }

    /** Hash of the request this package answers ("sha256:…"). */
    public Options requestHash(String hash) {
      this.requestHash = hash;
      return this;
    }

    /** Plaintext bytes per encrypted chunk (0 = 64 KiB). */
    public Options chunkSize(long bytes) {
      this.chunkSize = bytes;
      return this;
    }

    /** zstd compression level (default 1). */
    public Options level(int level) {
      this.level = level;
      return this;
    }

    /** zstd worker threads (0 = compress on the calling thread; default 1). */
    public Options threads(int threads) {
      this.threads = threads;
      return this;
    }
  }

  /** The public header of a package: no key, no decryption, <b>not verified</b>. */
  public static PackageHeader inspect(Path pkg) {
    Errors.requireArg(pkg, "pkg");
    String[] out = new String[1];
    Errors.check(CivitasNative.civ_package_inspect(out, pkg.toString()));
    return PackageHeader.fromJson(out[0]);
  }

  /**
   * Checks the provider's signatures over the header and the segment hashes, and every segment
   * against its hash (so every byte of the file), against the workspace's peer directory,
   * without decrypting anything. Returns the summary.
   */
  public static PackageSummary verify(Workspace ws, Path pkg) {
    Errors.requireArg(ws, "ws");
    Errors.requireArg(pkg, "pkg");
    String[] out = new String[1];
    Errors.check(ws.call(p -> CivitasNative.civ_package_verify_ctx(out, p, pkg.toString())));
    return PackageSummary.fromJson(out[0]);
  }

  /** {@link #open(Workspace, Path, Path, boolean, String)} with validation, no expected schemas. */
  public static PackageSummary open(Workspace ws, Path pkg, Path outDir) {
    return open(ws, pkg, outDir, true, null);
  }

  /**
   * Verifies the package (nothing is decrypted before both signatures check out), decrypts it
   * and writes the data package into outDir (which must not exist, or be empty). The sequence
   * number is remembered: opening it again throws {@link ReplayException}.
   *
   * @param validate check records against their schemas (false skips it)
   * @param expectedSchemasJson {@code {"resource": schema…}} the consumer expects, or null
   * @return the summary
   */
  public static PackageSummary open(Workspace ws, Path pkg, Path outDir, boolean validate, String expectedSchemasJson) {
    return open(ws, pkg, outDir, validate, expectedSchemasJson, true);
  }

  /**
   * As {@link #open(Workspace, Path, Path, boolean, String)}.
   *
   * @param sync force the output to disk before it appears and the sequence number is
   *     remembered (false is faster; after a power loss the output may then be lost while
   *     reopening the package is refused as a replay)
   */
  public static PackageSummary open(Workspace ws, Path pkg, Path outDir, boolean validate, String expectedSchemasJson,
      boolean sync) {
    return open(ws, pkg, outDir, validate, expectedSchemasJson, sync, false);
  }

  /**
   * As {@link #open(Workspace, Path, Path, boolean, String, boolean)}.
   *
   * @param umaskModes write the decrypted files and directories with the usual modes (0666 /
   *     0777 less the umask); false (the default): 0600 / 0700, readable by the owner only
   */
  public static PackageSummary open(Workspace ws, Path pkg, Path outDir, boolean validate, String expectedSchemasJson,
      boolean sync, boolean umaskModes) {
    Errors.requireArg(ws, "ws");
    Errors.requireArg(pkg, "pkg");
    Errors.requireArg(outDir, "outDir");
    String[] out = new String[1];
    Errors.checkPackage(ws.call(p -> CivitasNative.civ_package_open_ctx(out, p, pkg.toString(), outDir.toString(),
        flags(validate, sync, umaskModes), expectedSchemasJson)));
    return PackageSummary.fromJson(out[0]);
  }

  /**
   * Creates a package in one call.
   *
   * @param to consumer department USCCs (their public keys must be imported)
   * @param resources resource name to file, in iteration order (use a LinkedHashMap)
   * @param schemaJson Table Schema for every resource, or null
   * @return the summary
   */
  public static PackageSummary create(Workspace ws, Path pkg, List<String> to, Map<String, Path> resources, String schemaJson,
      Options options) {
    Errors.requireArg(resources, "resources");
    if (resources.isEmpty()) {
      throw new InvalidArgumentException("a package needs at least one resource");
    }
    try (PackageWriter w = PackageWriter.create(ws, pkg, to, options)) {
      for (Map.Entry<String, Path> r : resources.entrySet()) {
        w.addResource(r.getKey(), r.getValue(), schemaJson);
      }
      return w.finish();
    }
  }

  static long flags(boolean validate, boolean sync, boolean umaskModes) {
    return (validate ? 0 : CivitasNative.CIV_PACKAGE_SKIP_VALIDATION) | (sync ? 0 : CivitasNative.CIV_PACKAGE_NO_SYNC)
        | (umaskModes ? CivitasNative.CIV_PACKAGE_UMASK_MODES : 0);
  }

  /** Copies a stream through buf into sink, a block at a time. */
  static void pump(InputStream in, byte[] buf, Sink sink) {
    try {
      for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
        sink.accept(buf, n);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static InputStream openFile(Path path) {
    try {
      return Files.newInputStream(path);
    } catch (IOException e) {
      throw new CivitasIOException("cannot read " + path + ": " + e.getMessage());
    }
  }

  /** Receives the first n bytes of a buffer. */
  interface Sink {
    void accept(byte[] buf, int n);
  }

  static final int BLOCK = 1 << 20;
}
