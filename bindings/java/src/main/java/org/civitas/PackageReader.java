package org.civitas;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.Objects;
import org.civitas.internal.CivitasNative;

/**
 * Push-style streaming reader of a package for a {@link Workspace} (the consumer),
 * for packages that arrive in pieces. The header signature is checked before anything is
 * decrypted; chunks are authenticated as they arrive; the signature over the whole package
 * is checked in {@link #finish()} before the output directory appears. A refusal is thrown
 * as soon as the evidence is there, is audit-logged, and leaves nothing behind; the reader
 * is then done (further calls throw {@link InvalidArgumentException}).
 *
 * One thread at a time; the workspace must stay open until the reader is closed.
 */
public final class PackageReader extends NativeHandle {
  private final Workspace ws; // keeps the civ_ctx alive as long as the reader

  private PackageReader(long ptr, Workspace ws) {
    super(ptr, CivitasNative::civ_package_reader_free, "PackageReader");
    this.ws = ws;
  }

  /** A reader into outDir (which must not exist, or be empty) that validates records. */
  public static PackageReader create(Workspace ws, Path outDir) {
    return create(ws, outDir, true, null);
  }

  /**
   * @param validate check records against their schemas (false skips it)
   * @param expectedSchemasJson {@code {"resource": schema…}} the consumer expects, or null
   */
  public static PackageReader create(Workspace ws, Path outDir, boolean validate, String expectedSchemasJson) {
    return create(ws, outDir, validate, expectedSchemasJson, true);
  }

  /**
   * @param sync force the output to disk before it appears and the sequence number is
   *     remembered (see {@link Packages#open(Workspace, Path, Path, boolean, String, boolean)})
   */
  public static PackageReader create(Workspace ws, Path outDir, boolean validate, String expectedSchemasJson,
      boolean sync) {
    return create(ws, outDir, validate, expectedSchemasJson, sync, false);
  }

  /**
   * @param umaskModes write the decrypted files and directories with the usual modes (0666 /
   *     0777 less the umask); false (the default): 0600 / 0700, readable by the owner only
   */
  public static PackageReader create(Workspace ws, Path outDir, boolean validate, String expectedSchemasJson,
      boolean sync, boolean umaskModes) {
    Errors.requireArg(ws, "ws");
    Errors.requireArg(outDir, "outDir");
    long[] out = new long[1];
    Errors.check(ws.call(p -> CivitasNative.civ_package_reader_create_ctx(out, p, outDir.toString(),
        Packages.flags(validate, sync, umaskModes), expectedSchemasJson)));
    return new PackageReader(out[0], ws);
  }

  /** Feeds the next bytes of the package. */
  public void feed(byte[] data) {
    Errors.requireArg(data, "data");
    feed(data, 0, data.length);
  }

  /** Feeds data[off, off + len). */
  public void feed(byte[] data, int off, int len) {
    Errors.requireArg(data, "data");
    Objects.checkFromIndexSize(off, len, data.length);
    Errors.checkPackage(call(p -> CivitasNative.civj_package_reader_write(p, data, off, len)));
  }

  /** Feeds everything a stream yields (not closed here). */
  public void feed(InputStream in) {
    Errors.requireArg(in, "in");
    Packages.pump(in, new byte[Packages.BLOCK], (b, n) -> feed(b, 0, n));
  }

  /** Checks the whole-package signature, commits the output directory; returns the summary. */
  public PackageSummary finish() {
    String[] out = new String[1];
    Errors.checkPackage(call(p -> CivitasNative.civ_package_reader_finish(p, out)));
    return PackageSummary.fromJson(out[0]);
  }

  /** The workspace this reader opens for. */
  public Workspace workspace() {
    return ws;
  }
}
