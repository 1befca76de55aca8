package org.civitas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Packages between two workspaces (two departments) that exchanged public keys:
 * create, inspect, verify, open round trip, and each refusal typed with nothing left behind.
 */
class PackagesTest {
  static final String TAX = "91350100M000100Y43";
  static final String MARKET = "911100001000000248";
  static final String OTHER = "91110000100000016D";
  static final String SCHEMA = "{\"fields\":[{\"name\":\"id\",\"type\":\"integer\"},"
      + "{\"name\":\"name\",\"type\":\"string\"},{\"name\":\"amount\",\"type\":\"integer\"}]}";
  static final byte[] CSV = "id,name,amount\n1,张三,10\n2,b,20\n".getBytes(StandardCharsets.UTF_8);
  static final SecureRandom RNG = new SecureRandom();

  @TempDir Path dir;
  Workspace tax;
  Workspace market;
  Workspace other;
  Path pkg;

  static Workspace make(Path dir, String name, String dept) {
    byte[] key = new byte[32];
    RNG.nextBytes(key);
    return Workspace.create(dir.resolve(name + ".db"), key, new Workspace.Options().department(dept));
  }

  static byte[] bigCsv(int rows) {
    StringBuilder sb = new StringBuilder("id,name,amount\n");
    byte[] r = new byte[12];
    for (int i = 0; i < rows; i++) {
      RNG.nextBytes(r);
      sb.append(i).append(',');
      for (byte b : r) {
        sb.append(String.format("%02x", b));
      }
      sb.append(',').append(i * 7).append('\n');
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  static long headerBytes(Path pkg) {
    long n = Packages.inspect(pkg).getHeaderBytes();
    assertTrue(n > 0);
    return n;
  }

  Set<String> entries() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
    }
  }

  /** Runs op, which must throw exactly cls; out must not appear and no file may be left. */
  <T extends CivitasException> T refused(Class<T> cls, Path out, Executable op) throws IOException {
    Set<String> before = entries();
    T e = assertThrows(cls, op);
    assertEquals(cls, e.getClass());
    assertFalse(Files.exists(out));
    assertEquals(before, entries());
    return e;
  }

  @BeforeEach
  void setUp() throws IOException {
    tax = make(dir, "tax", TAX);
    market = make(dir, "market", MARKET);
    other = make(dir, "other", OTHER);
    market.importPublic(tax.exportPublic());
    tax.importPublic(market.exportPublic());
    other.importPublic(tax.exportPublic());
    pkg = dir.resolve("p.civpkg");
    try (PackageWriter w = PackageWriter.create(tax, pkg, List.of(MARKET), new Packages.Options().chunkSize(1024))) {
      w.addResource("t", new ByteArrayInputStream(bigCsv(400)), SCHEMA);
      w.finish();
    }
  }

  @Test
  void createInspectVerifyOpenRoundTrip() throws IOException {
    Path src = dir.resolve("payers.csv");
    Files.write(src, CSV);
    Map<String, Path> res = new LinkedHashMap<>();
    res.put("payers", src);
    Path p = dir.resolve("out.civpkg");
    String hash = "sha256:" + "ab".repeat(32);
    PackageSummary made = Packages.create(tax, p, List.of(MARKET), res, SCHEMA, new Packages.Options()
        .catalog("110000-000001").purpose("licensing check").approval("APP-7").requestHash(hash));
    assertTrue(made.getPackageId().length() > 0, made.toJson());
    assertEquals(Files.size(p), made.getPackageBytes());
    assertTrue(made.getChunks() > 0 && made.getPayloadBytes() > 0, made.toJson());
    assertEquals(List.of("payers"), made.getResourceNames());
    assertTrue(made.getDatapackageJson().contains("\"payers\""));
    PackageEnvelope env = made.getEnvelope();
    assertEquals(TAX, env.getProvider());
    assertEquals(List.of(MARKET), env.getConsumers());
    assertEquals(Map.of(MARKET, 2L), env.getSequences()); // setUp sent sequence 1
    assertEquals("110000-000001", env.getCatalog());
    assertEquals("licensing check", env.getPurpose());
    assertEquals("APP-7", env.getApproval());
    assertEquals(hash, env.getRequestHash());
    assertEquals(made.getPackageId(), env.getPackageId());
    assertEquals(made, PackageSummary.fromJson(made.toJson()));

    PackageHeader header = Packages.inspect(p);
    assertEquals(made.getHeader().getPackageId(), header.getPackageId());
    assertEquals("civitas-package", header.getFormat());
    assertTrue(header.getVersion() >= 1);
    assertEquals(TAX, header.getProvider());
    assertTrue(header.getProviderKeyId().matches("[0-9a-f]{16}"), header.toJson());
    assertEquals(List.of(MARKET), header.getConsumers());
    assertEquals(1, header.getRecipients().size());
    assertEquals(2, header.getRecipients().get(0).getSequence());
    assertEquals("zstd", header.getCompression());
    assertTrue(header.getChunkSize() > 0 && header.getHeaderBytes() > 0, header.toJson());
    assertTrue(Math.abs(header.getCreatedSeconds() - System.currentTimeMillis() / 1000) < 600, header.toJson());
    assertEquals(header, PackageHeader.fromJson(header.toJson()));
    String signer = tax.keys().stream().filter(k -> k.getPurpose() == Workspace.Purpose.SIGNING)
        .filter(k -> k.getStatus() == KeyStatus.PRIMARY).findFirst().orElseThrow().getId();
    assertEquals(signer, header.getProviderKeyId());

    PackageSummary verified = Packages.verify(market, p);
    assertEquals(TAX, verified.getHeader().getProvider());
    assertNull(verified.getEnvelope(), "verify decrypts nothing");
    assertNull(verified.getDatapackageJson());
    assertEquals(List.of(), verified.getResourceNames());

    Path out = dir.resolve("in");
    PackageSummary opened = Packages.open(market, p, out);
    assertEquals("licensing check", opened.getEnvelope().getPurpose());
    assertEquals("APP-7", opened.getEnvelope().getApproval());
    assertEquals("110000-000001", opened.getEnvelope().getCatalog());
    assertEquals(made.getPackageId(), opened.getPackageId());
    assertArrayEquals(CSV, Files.readAllBytes(out.resolve("data/payers.csv")));
    assertTrue(Files.readString(out.resolve("datapackage.json")).contains("\"payers\""));
  }

  @Test
  void decryptedOutputIsOwnerOnlyUnlessUmaskModes() throws IOException {
    Map<String, Path> res = new LinkedHashMap<>();
    Path csv = dir.resolve("m.csv");
    Files.write(csv, CSV);
    res.put("payers", csv);
    Path p1 = dir.resolve("m1.civpkg");
    Path p2 = dir.resolve("m2.civpkg");
    Packages.create(tax, p1, List.of(MARKET), res, SCHEMA, new Packages.Options());
    Packages.create(tax, p2, List.of(MARKET), res, SCHEMA, new Packages.Options());
    Packages.open(market, p1, dir.resolve("o1"));
    Packages.open(market, p2, dir.resolve("o2"), true, null, true, true);
    assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
        Files.getPosixFilePermissions(dir.resolve("o1"))));
    assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
        Files.getPosixFilePermissions(dir.resolve("o1/data/payers.csv"))));
    // umask modes: 0666 less the process's umask (022 in CI): at least group-readable or the same as a new file
    Path probe = Files.createFile(dir.resolve("probe"));
    assertEquals(Files.getPosixFilePermissions(probe), Files.getPosixFilePermissions(dir.resolve("o2/data/payers.csv")));
  }

  @Test
  void streamingWriterAndReader() throws IOException {
    byte[] data = bigCsv(300);
    Path p = dir.resolve("s.civpkg");
    try (PackageWriter w = PackageWriter.create(tax, p, List.of(MARKET), new Packages.Options().threads(0))) {
      w.beginResource("t", SCHEMA);
      for (int i = 0; i < data.length; i += 777) {
        w.write(data, i, Math.min(777, data.length - i));
      }
      w.endResource();
      w.finish();
    }
    byte[] raw = Files.readAllBytes(p);
    Path out = dir.resolve("in");
    try (PackageReader r = PackageReader.create(market, out, true, null, false)) {  // no fsync
      for (int i = 0; i < raw.length; i += 1000) {
        r.feed(raw, i, Math.min(1000, raw.length - i));
      }
      PackageSummary s = r.finish();
      assertTrue(s.getContentBytes() > data.length, s.toJson());  // the data, framing and datapackage.json
      assertEquals(List.of("t"), s.getResourceNames());
    }
    assertArrayEquals(data, Files.readAllBytes(out.resolve("data/t.csv")));
    assertThrows(IndexOutOfBoundsException.class, () -> {
      try (PackageReader r = PackageReader.create(market, dir.resolve("x"))) {
        r.feed(raw, 10, raw.length);
      }
    });
  }

  @Test
  void unfinishedWriterLeavesNothing() throws IOException {
    Set<String> before = entries();
    try (PackageWriter w = PackageWriter.create(tax, dir.resolve("x.civpkg"), List.of(MARKET), null)) {
      w.beginResource("t", null);
      w.write("a\n1\n".getBytes(StandardCharsets.UTF_8));
    }
    assertEquals(before, entries());
  }

  @Test
  void modifiedCiphertextByteIsIntegrityError() throws IOException {
    byte[] raw = Files.readAllBytes(pkg);
    raw[(int) headerBytes(pkg) + 500] ^= 1;
    Files.write(pkg, raw);
    IntegrityException e = refused(IntegrityException.class, dir.resolve("out"),
        () -> Packages.open(market, pkg, dir.resolve("out")));
    assertTrue(e.getMessage().contains("modified"), e.getMessage());
    assertThrows(IntegrityException.class, () -> Packages.verify(market, pkg));
  }

  @Test
  void reorderedChunksAreIntegrityError() throws IOException {
    byte[] raw = Files.readAllBytes(pkg);
    int ps = (int) headerBytes(pkg);
    int full = 1024 + 17;
    assertTrue(raw.length > ps + 3 * full);
    byte[] swapped = raw.clone();
    System.arraycopy(raw, ps + full, swapped, ps, full);
    System.arraycopy(raw, ps, swapped, ps + full, full);
    Files.write(pkg, swapped);
    refused(IntegrityException.class, dir.resolve("out"), () -> Packages.open(market, pkg, dir.resolve("out")));
  }

  @Test
  void modifiedHeaderIsBadSignature() throws IOException {
    byte[] raw = Files.readAllBytes(pkg);
    String s = new String(raw, StandardCharsets.ISO_8859_1);
    int at = s.indexOf("\"created\":") + 11;
    raw[at] = (byte) (raw[at] == '1' ? '2' : '1');
    Files.write(pkg, raw);
    refused(BadSignatureException.class, dir.resolve("out"), () -> Packages.open(market, pkg, dir.resolve("out")));
  }

  @Test
  void wrongRecipientIsNotRecipient() throws IOException {
    refused(NotRecipientException.class, dir.resolve("out"), () -> Packages.open(other, pkg, dir.resolve("out")));
  }

  @Test
  void unknownProviderIsUnknownKey() throws IOException {
    try (Workspace stranger = make(dir, "stranger", "91110108MA01ABCD5T")) { // never imported tax's keys
      refused(UnknownKeyException.class, dir.resolve("out"), () -> Packages.open(stranger, pkg, dir.resolve("out")));
      assertThrows(UnknownKeyException.class, () -> Packages.verify(stranger, pkg));
    }
  }

  @Test
  void openingTwiceIsReplay() throws IOException {
    Packages.open(market, pkg, dir.resolve("first"));
    ReplayException e = refused(ReplayException.class, dir.resolve("second"),
        () -> Packages.open(market, pkg, dir.resolve("second")));
    assertTrue(e.getMessage().contains("replay"), e.getMessage());
    byte[] raw = Files.readAllBytes(pkg);
    refused(ReplayException.class, dir.resolve("third"), () -> {
      try (PackageReader r = PackageReader.create(market, dir.resolve("third"))) {
        r.feed(new ByteArrayInputStream(raw));
        r.finish();
      }
    });
  }

  @Test
  void truncatedPackageIsTruncated() throws IOException {
    byte[] raw = Files.readAllBytes(pkg);
    Files.write(pkg, java.util.Arrays.copyOf(raw, raw.length - 50));
    refused(TruncatedException.class, dir.resolve("out"), () -> Packages.open(market, pkg, dir.resolve("out")));
    try (PackageReader r = PackageReader.create(market, dir.resolve("s"))) {
      r.feed(raw, 0, raw.length - 50);
      assertThrows(TruncatedException.class, r::finish);
      assertThrows(InvalidArgumentException.class, r::finish); // the reader is done
    }
    assertFalse(Files.exists(dir.resolve("s")));
  }

  @Test
  void schemaMismatchInvalidRecordsAndSkipValidation() throws IOException {
    Path p = dir.resolve("bad.civpkg");
    Map<String, Path> res = new LinkedHashMap<>();
    Path src = dir.resolve("t.csv");
    Files.write(src, "id,name,amount\n1,a,x\n".getBytes(StandardCharsets.UTF_8));
    res.put("t", src);
    // create checks the records: refused with the whole report, no package left behind
    InvalidDataException made = assertThrows(InvalidDataException.class,
        () -> Packages.create(tax, p, List.of(MARKET), res, SCHEMA, null));
    assertTrue(made.report() != null && made.report().contains("\"rowNumber\":2"), made.report());
    assertFalse(Files.exists(p));
    Packages.create(tax, p, List.of(MARKET), res, SCHEMA, new Packages.Options().validate(false));
    String expected = "{\"t\":{\"fields\":[{\"name\":\"id\",\"type\":\"string\"}]}}";
    refused(SchemaMismatchException.class, dir.resolve("o1"),
        () -> Packages.open(market, p, dir.resolve("o1"), true, expected));
    refused(InvalidDataException.class, dir.resolve("o2"), () -> Packages.open(market, p, dir.resolve("o2")));
    InvalidDataException opened = assertThrows(InvalidDataException.class,
        () -> Packages.open(market, p, dir.resolve("o2")));
    assertTrue(opened.report() != null && opened.report().contains("\"place\":\"data/t.csv\""), opened.report());
    Packages.open(market, p, dir.resolve("o3"), false, null);
    assertArrayEquals(Files.readAllBytes(src), Files.readAllBytes(dir.resolve("o3/data/t.csv")));
  }

  @Test
  void gbkTableIsTranscoded() throws IOException {
    Path p = dir.resolve("gbk.civpkg");
    Path src = dir.resolve("g.csv");
    String text = "id,name,amount\n1,\u5317\u4eac,10\n";
    Files.write(src, text.getBytes(java.nio.charset.Charset.forName("GBK")));
    Map<String, Path> res = new LinkedHashMap<>();
    res.put("t", src);
    Packages.create(tax, p, List.of(MARKET), res, SCHEMA, new Packages.Options().encoding("gbk"));
    Packages.open(market, p, dir.resolve("g"));
    assertArrayEquals(text.getBytes(StandardCharsets.UTF_8), Files.readAllBytes(dir.resolve("g/data/t.csv")));
  }

  @Test
  void badArgumentsAreTyped() {
    assertThrows(UnknownKeyException.class,
        () -> PackageWriter.create(tax, dir.resolve("q"), List.of(OTHER), null));
    assertThrows(InvalidArgumentException.class,
        () -> PackageWriter.create(tax, dir.resolve("q"), List.of("a,b"), null));
    assertThrows(InvalidArgumentException.class, () -> Packages.open(null, pkg, dir.resolve("o")));
    assertThrows(NotFoundException.class, () -> Packages.inspect(dir.resolve("nope")));
    assertFalse(Files.exists(dir.resolve("q")));
  }
}
