package org.civitas;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.civitas.internal.CivitasNative;

/**
 * Streaming writer of a package from a {@link Workspace} (the provider) to one or
 * more consumer departments; memory stays bounded whatever the size of the resources. The file
 * appears only when {@link #finish()} succeeds; closing before that removes everything written.
 * {@link #finish()} records {@code package.create} in the workspace's audit log.
 *
 * <pre>{@code
 * try (PackageWriter w = PackageWriter.create(ws, Path.of("out.civpkg"), List.of(MARKET), new Packages.Options())) {
 *   w.beginResource("payers", schemaJson);
 *   w.write(bytes);
 *   w.endResource();
 *   w.addResource("branches", Path.of("branches.csv"), null);
 *   PackageSummary summary = w.finish();
 * }
 * }</pre>
 *
 * One thread at a time; the workspace must stay open until the writer is closed.
 */
public final class PackageWriter extends NativeHandle {
  private final Workspace ws; // keeps the civ_ctx alive as long as the writer

  private PackageWriter(long ptr, Workspace ws) {
    super(ptr, CivitasNative::civ_package_writer_free, "PackageWriter");
    this.ws = ws;
  }

  /**
   * Starts a package to the departments in {@code to}; a sequence number for each is reserved
   * now. Throws {@link UnknownKeyException} for a consumer whose keys were never imported.
   *
   * @param options envelope fields and tuning, or null for defaults
   */
  public static PackageWriter create(Workspace ws, Path pkg, List<String> to, Packages.Options options) {
    Errors.requireArg(ws, "ws");
    Errors.requireArg(pkg, "pkg");
    Errors.requireArg(to, "to");
    for (String d : to) {
      if (d == null || d.isEmpty() || d.indexOf(',') >= 0) {
        throw new InvalidArgumentException("to: not a department USCC: \"" + d + "\"");
      }
    }
    Packages.Options o = options != null ? options : new Packages.Options();
    String[] consumers = to.toArray(new String[0]);
    long[] out = new long[1];
    Errors.check(ws.call(p -> CivitasNative.civj_package_writer_create_ctx(out, p, pkg.toString(), consumers,
        o.catalog, o.purpose, o.approval, o.requestHash, o.chunkSize, o.level, o.threads, o.validate ? 1 : 0,
        o.encoding)));
    return new PackageWriter(out[0], ws);
  }

  /**
   * Starts resource {@code name} (lowercase letters, digits, '-', '_', '.'), stored as
   * data/&lt;name&gt;.csv, with a Table Schema (JSON) or null.
   */
  public void beginResource(String name, String schemaJson) {
    Errors.requireArg(name, "name");
    Errors.check(call(p -> CivitasNative.civ_package_writer_begin_resource(p, name, schemaJson)));
  }

  /** Appends bytes to the current resource. */
  public void write(byte[] data) {
    Errors.requireArg(data, "data");
    write(data, 0, data.length);
  }

  /** Appends data[off, off + len) to the current resource. */
  public void write(byte[] data, int off, int len) {
    Errors.requireArg(data, "data");
    Objects.checkFromIndexSize(off, len, data.length);
    Errors.checkPackage(call(p -> CivitasNative.civj_package_writer_write(p, data, off, len)));
  }

  /** Ends the current resource. */
  public void endResource() {
    Errors.checkPackage(call(CivitasNative::civ_package_writer_end_resource));
  }

  /** Adds a whole resource read from a stream (not closed here). */
  public void addResource(String name, InputStream data, String schemaJson) {
    Errors.requireArg(data, "data");
    beginResource(name, schemaJson);
    Packages.pump(data, new byte[Packages.BLOCK], (b, n) -> write(b, 0, n));
    endResource();
  }

  /** Adds a whole resource read from a file. */
  public void addResource(String name, Path file, String schemaJson) {
    Errors.requireArg(file, "file");
    try (InputStream in = Packages.openFile(file)) {
      addResource(name, in, schemaJson);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Writes datapackage.json and the trailer, signs, renames the file into place and records
   * {@code package.create} in the audit log. Returns the summary.
   */
  public PackageSummary finish() {
    String[] out = new String[1];
    Errors.checkPackage(call(p -> CivitasNative.civ_package_writer_finish(p, out)));
    return PackageSummary.fromJson(out[0]);
  }

  /** The workspace this writer signs with. */
  public Workspace workspace() {
    return ws;
  }
}
