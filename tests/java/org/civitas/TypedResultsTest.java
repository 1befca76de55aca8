package org.civitas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.civitas.internal.Json;
import org.junit.jupiter.api.Test;

/**
 * The typed results read from the C API's JSON documents, on fixed documents: every field
 * parsed, toJson/fromJson round trips, unknown members ignored, wrong member types a
 * ParseException, and the enum mappings. (The same classes on live results: WorkspaceTest,
 * SchemaTest, CatalogTest, PackagesTest.)
 */
class TypedResultsTest {
  static String q(String s) {
    return s.replace('\'', '"');
  }

  @Test
  void workspaceInfo() {
    String json = q("{'path':'/d/w.db','workspace_id':'00112233445566778899aabbccddeeff','department':'91350100M000100Y43',"
        + "'name':'市场监管','created':1700000000,'schema_version':5,'key_source':'passphrase','future':{'x':1}}");
    WorkspaceInfo i = WorkspaceInfo.fromJson(json);
    assertEquals("/d/w.db", i.getPath());
    assertEquals("00112233445566778899aabbccddeeff", i.getWorkspaceId());
    assertEquals("91350100M000100Y43", i.getDepartment());
    assertEquals("市场监管", i.getName());
    assertEquals(1700000000L, i.getCreatedSeconds());
    assertEquals(Instant.ofEpochSecond(1700000000L), i.getCreated());
    assertEquals(5, i.getSchemaVersion());
    assertEquals("passphrase", i.getKeySource());
    assertEquals(json, i.toJson());
    assertEquals(i, WorkspaceInfo.fromJson(i.toJson()));
    assertEquals(i.hashCode(), WorkspaceInfo.fromJson(i.toJson()).hashCode());
    WorkspaceInfo none = WorkspaceInfo.fromJson(q("{'path':'p','workspace_id':'x','key_source':'raw'}"));
    assertEquals("", none.getDepartment());
    assertEquals("", none.getName());
    assertNotEquals(i, none);
    assertThrows(ParseException.class, () -> WorkspaceInfo.fromJson(q("{'path':1,'workspace_id':'x','key_source':'raw'}")));
    assertThrows(ParseException.class, () -> WorkspaceInfo.fromJson("[]"));
    assertThrows(ParseException.class, () -> WorkspaceInfo.fromJson("{"));
    assertThrows(InvalidArgumentException.class, () -> WorkspaceInfo.fromJson(null));
  }

  @Test
  void keysAndPurposesAndStatuses() {
    List<KeyInfo> keys = KeyInfo.listFromJson(q("[{'id':'0123456789abcdef','purpose':'signing','algorithm':'ed25519',"
        + "'created':1700000001,'status':'primary','public_key':'AAECAw=='},"
        + "{'id':'fedcba9876543210','purpose':'field','algorithm':'xchacha20poly1305','created':5,'status':'retired'}]"));
    assertEquals(2, keys.size());
    KeyInfo s = keys.get(0);
    assertEquals("0123456789abcdef", s.getId());
    assertEquals(Workspace.Purpose.SIGNING, s.getPurpose());
    assertEquals("ed25519", s.getAlgorithm());
    assertEquals(1700000001L, s.getCreatedSeconds());
    assertEquals(KeyStatus.PRIMARY, s.getStatus());
    assertArrayEquals(new byte[] {0, 1, 2, 3}, s.getPublicKey());
    s.getPublicKey()[0] = 9;
    assertEquals(0, s.getPublicKey()[0], "getPublicKey returns a copy");
    assertEquals(s, KeyInfo.fromJson(s.toJson()));
    KeyInfo f = keys.get(1);
    assertEquals(Workspace.Purpose.FIELD, f.getPurpose());
    assertEquals(KeyStatus.RETIRED, f.getStatus());
    assertNull(f.getPublicKey());
    assertThrows(UnsupportedOperationException.class, () -> keys.remove(0));

    for (Workspace.Purpose p : Workspace.Purpose.values()) {
      assertEquals(p, Workspace.Purpose.fromName(p.cName()));
    }
    assertEquals(List.of("field", "token", "identity", "signing", "exchange", "checkpoint", "user-signing", "user-sealing"),
        List.of(Workspace.Purpose.FIELD.cName(), Workspace.Purpose.TOKEN.cName(), Workspace.Purpose.IDENTITY.cName(),
            Workspace.Purpose.SIGNING.cName(), Workspace.Purpose.EXCHANGE.cName(), Workspace.Purpose.CHECKPOINT.cName(),
            Workspace.Purpose.USER_SIGNING.cName(), Workspace.Purpose.USER_SEALING.cName()));
    assertEquals(KeyStatus.DESTROYED, KeyStatus.fromName("destroyed"));
    assertEquals("active", KeyStatus.ACTIVE.cName());
    assertThrows(ParseException.class, () -> KeyStatus.fromName("lost"));
    assertThrows(ParseException.class, () -> Workspace.Purpose.fromName("FIELD"));
    assertThrows(ParseException.class,
        () -> KeyInfo.fromJson(q("{'id':'x','purpose':'bogus','algorithm':'a','created':1,'status':'primary'}")));
    assertThrows(ParseException.class,
        () -> KeyInfo.fromJson(q("{'id':'x','purpose':'field','algorithm':'a','created':1,'status':'primary','public_key':'%%'}")));
  }

  @Test
  void peerKey() {
    String json = q("{'department':'911100001000000248','name':'市场','key_id':'0011223344556677','purpose':'exchange',"
        + "'algorithm':'x25519','public_key':'AQID','status':'primary','imported':1700000000}");
    PeerKey p = PeerKey.fromJson(json);
    assertEquals("911100001000000248", p.getDepartment());
    assertEquals("市场", p.getName());
    assertEquals("0011223344556677", p.getKeyId());
    assertEquals(Workspace.Purpose.EXCHANGE, p.getPurpose());
    assertEquals("x25519", p.getAlgorithm());
    assertArrayEquals(new byte[] {1, 2, 3}, p.getPublicKey());
    assertEquals("primary", p.getStatus());
    assertEquals(1700000000L, p.getImportedSeconds());
    assertEquals(Instant.ofEpochSecond(1700000000L), p.getImported());
    assertEquals(p, PeerKey.fromJson(p.toJson()));
    assertEquals(List.of(p), PeerKey.listFromJson("[" + json + "]"));
    assertThrows(ParseException.class, () -> PeerKey.fromJson(json.replace("\"public_key\":\"AQID\",", "")));
  }

  @Test
  void checkReport() {
    CheckReport r = CheckReport.fromJson(q("{'version':1,'valid':false,'problems':[{'path':'/title','message':'missing'},"
        + "{'path':'','message':'x'}]}"));
    assertFalse(r.isValid());
    assertEquals(2, r.getProblems().size());
    assertEquals("/title", r.getProblems().get(0).getPath());
    assertEquals("missing", r.getProblems().get(0).getMessage());
    assertEquals("/title: missing", r.getProblems().get(0).toString());
    assertNull(r.getResourceCode());
    assertEquals(r, CheckReport.fromJson(r.toJson()));
    CheckReport ok = CheckReport.fromJson(q("{'version':1,'valid':true,'problems':[],'resourceCode':'102/000001'}"));
    assertTrue(ok.isValid());
    assertEquals("102/000001", ok.getResourceCode());
    assertThrows(ParseException.class, () -> CheckReport.fromJson(q("{'valid':true,'problems':[{'path':1,'message':'m'}]}")));
    assertThrows(ParseException.class, () -> CheckReport.fromJson(q("{'problems':[]}")));
  }

  @Test
  void validationReport() {
    String json = q("{'version':1,'valid':false,'stats':{'tasks':1,'errors':1,'warnings':1,'seconds':0.25},"
        + "'warnings':['w0'],'errors':[],'tasks':[{'name':'people','type':'table','valid':false,'place':'data/people.csv',"
        + "'labels':['id','name'],'stats':{'errors':1,'warnings':1,'seconds':0.25,'bytes':58,'fields':2,'rows':3},"
        + "'warnings':['fk not checked'],'partial':true,'errors':[{'type':'type-error','title':'Type Error',"
        + "'description':'d','message':'Type error in the cell','tags':['#table','#row','#cell'],'note':'type is integer',"
        + "'cells':['x','Bob'],'rowNumber':3,'cell':'x','fieldName':'id','fieldNumber':1},"
        + "{'type':'blank-label','title':'Blank Label','message':'m','note':'','labels':['a',''],'rowNumbers':[1],'label':'',"
        + "'fieldName':'','fieldNumber':2}]}]}");
    ValidationReport r = ValidationReport.fromJson(json);
    assertFalse(r.isValid());
    assertEquals(1, r.getTaskCount());
    assertEquals(1, r.getErrorCount());
    assertEquals(1, r.getWarningCount());
    assertEquals(0.25, r.getSeconds());
    assertEquals(List.of("w0"), r.getWarnings());
    assertEquals(List.of(), r.getErrors());
    ValidationTask t = r.getTask();
    assertEquals("people", t.getName());
    assertEquals("table", t.getType());
    assertFalse(t.isValid());
    assertEquals("data/people.csv", t.getPlace());
    assertEquals(List.of("id", "name"), t.getLabels());
    assertEquals(58, t.getBytes());
    assertEquals(2, t.getFields());
    assertEquals(3, t.getRows());
    assertEquals(1, t.getErrorCount());
    assertEquals(List.of("fk not checked"), t.getWarnings());
    assertTrue(t.isPartial());
    ValidationError e = t.getErrors().get(0);
    assertEquals("type-error", e.getType());
    assertEquals("Type Error", e.getTitle());
    assertEquals("Type error in the cell", e.getMessage());
    assertEquals("type is integer", e.getNote());
    assertEquals(List.of("#table", "#row", "#cell"), e.getTags());
    assertEquals(List.of("x", "Bob"), e.getCells());
    assertEquals(Long.valueOf(3), e.getRowNumber());
    assertEquals("x", e.getCell());
    assertEquals("id", e.getFieldName());
    assertEquals(Long.valueOf(1), e.getFieldNumber());
    ValidationError label = t.getErrors().get(1);
    assertNull(label.getRowNumber());
    assertNull(label.getCell());
    assertEquals(List.of(), label.getCells());
    assertEquals(Long.valueOf(2), label.getFieldNumber());
    // members without a getter are kept in toJson
    @SuppressWarnings("unchecked")
    Map<String, Object> m = (Map<String, Object>) Json.parse(label.toJson());
    assertEquals(List.of(1L), m.get("rowNumbers"));
    assertEquals(label, ValidationError.fromJson(label.toJson()));
    assertEquals(r.getAllErrors(), t.getErrors());
    assertEquals(json, r.toJson());
    assertEquals(r, ValidationReport.fromJson(r.toJson()));
    // the task's JSON is the task object
    @SuppressWarnings("unchecked")
    Map<String, Object> tj = (Map<String, Object>) Json.parse(t.toJson());
    assertEquals("people", tj.get("name"));
    assertEquals(2, ((List<?>) tj.get("errors")).size());
    assertThrows(UnsupportedVersionException.class, () -> ValidationReport.fromJson(q("{'version':2,'valid':true}")));
    assertThrows(ParseException.class, () -> ValidationReport.fromJson(q("{'valid':true,'tasks':[{'valid':true}]}")));
    assertThrows(IllegalStateException.class, () -> ValidationReport.fromJson(q("{'valid':true}")).getTask());
  }

  static final String HEADER = "{'format':'civitas-package','version':2,'package_id':'p-1','created':1700000000,"
      + "'created_utc':'2023-11-14T22:13:20Z','provider':{'department':'91350100M000100Y43','key_id':'aaaaaaaaaaaaaaaa'},"
      + "'recipients':[{'department':'911100001000000248','key_id':'bbbbbbbbbbbbbbbb','sequence':7},"
      + "{'department':'91110000100000016D','key_id':'cccccccccccccccc','sequence':1}],"
      + "'payload':{'compression':'zstd','cipher':'xchacha20poly1305-secretstream','chunk_size':65536},'header_bytes':1234}";

  @Test
  void packageHeader() {
    PackageHeader h = PackageHeader.fromJson(q(HEADER));
    assertEquals("civitas-package", h.getFormat());
    assertEquals(2, h.getVersion());
    assertEquals("p-1", h.getPackageId());
    assertEquals(1700000000L, h.getCreatedSeconds());
    assertEquals("91350100M000100Y43", h.getProvider());
    assertEquals("aaaaaaaaaaaaaaaa", h.getProviderKeyId());
    assertEquals(List.of("911100001000000248", "91110000100000016D"), h.getConsumers());
    assertEquals("bbbbbbbbbbbbbbbb", h.getRecipients().get(0).getKeyId());
    assertEquals(7, h.getRecipients().get(0).getSequence());
    assertEquals("zstd", h.getCompression());
    assertEquals("xchacha20poly1305-secretstream", h.getCipher());
    assertEquals(65536, h.getChunkSize());
    assertEquals(1234, h.getHeaderBytes());
    assertEquals(h, PackageHeader.fromJson(h.toJson()));
    assertThrows(ParseException.class, () -> PackageHeader.fromJson(q("{'format':'x','version':1,'package_id':'p'}")));
  }

  @Test
  void packageSummaryWithAndWithoutEnvelope() {
    String json = q("{'header':" + HEADER + ",'package_bytes':9000,'payload_bytes':8000,'chunks':3,'content_bytes':20000,"
        + "'envelope':{'package_id':'p-1','provider':'91350100M000100Y43','consumers':['911100001000000248'],"
        + "'sequences':{'911100001000000248':7},'catalog':'110000-000001','purpose':'licensing','approval':'APP-7',"
        + "'created':'2023-11-14T22:13:20Z','request_hash':null},"
        + "'datapackage':{'name':'package-p-1','resources':[{'name':'payers','path':'data/payers.csv'},{'name':'b'}]}}");
    PackageSummary s = PackageSummary.fromJson(json);
    assertEquals("p-1", s.getPackageId());
    assertEquals(9000, s.getPackageBytes());
    assertEquals(8000, s.getPayloadBytes());
    assertEquals(3, s.getChunks());
    assertEquals(20000, s.getContentBytes());
    assertEquals(List.of("payers", "b"), s.getResourceNames());
    assertTrue(s.getDatapackageJson().startsWith("{\"name\":\"package-p-1\""), s.getDatapackageJson());
    PackageEnvelope e = s.getEnvelope();
    assertEquals("p-1", e.getPackageId());
    assertEquals("91350100M000100Y43", e.getProvider());
    assertEquals(List.of("911100001000000248"), e.getConsumers());
    assertEquals(Map.of("911100001000000248", 7L), e.getSequences());
    assertEquals("110000-000001", e.getCatalog());
    assertEquals("licensing", e.getPurpose());
    assertEquals("APP-7", e.getApproval());
    assertEquals("2023-11-14T22:13:20Z", e.getCreated());
    assertNull(e.getRequestHash());
    assertEquals(e, PackageEnvelope.fromJson(e.toJson()));
    assertEquals(s, PackageSummary.fromJson(s.toJson()));
    assertEquals(PackageHeader.fromJson(q(HEADER)).getPackageId(), s.getHeader().getPackageId());

    PackageSummary v = PackageSummary.fromJson(q("{'header':" + HEADER + ",'package_bytes':9000,'payload_bytes':8000,'chunks':3}"));
    assertNull(v.getEnvelope());
    assertNull(v.getDatapackageJson());
    assertEquals(0, v.getContentBytes());
    assertEquals(List.of(), v.getResourceNames());
    assertThrows(ParseException.class, () -> PackageSummary.fromJson(q("{'package_bytes':1}")));
  }

  @Test
  void catalogRecordAndEntry() {
    String json = q("{'created_ms':1700000000123,'entry':{'version':1,'resourceCode':'102/000001','title':'企业登记',"
        + "'abstract':'摘要','provider':{'name':'数据局','uscc':'91110108MA01ABCD5T'},'formats':['csv','api'],"
        + "'items':[{'name':'代码','dataType':'C','length':18},{'name':'日期','dataType':'D','description':'成立'}],"
        + "'sharing':{'type':'conditional','condition':'c','modes':['api','file']},'open':{'type':'none'},"
        + "'updateCycle':'daily','issued':'2024-01-01','modified':'2024-02-01','related':['102/000002'],"
        + "'keywords':['企业'],'x-local':{'k':[1,2.5,true,null]}},"
        + "'resourceCode':'102/000001','title':'企业登记','version':3}");
    CatalogRecord r = CatalogRecord.fromJson(json);
    assertEquals("102/000001", r.getResourceCode());
    assertEquals(3, r.getVersion());
    assertEquals(1700000000123L, r.getCreatedMillis());
    assertEquals("企业登记", r.getTitle());
    CatalogEntry e = r.getEntry();
    assertEquals("102/000001", e.getResourceCode());
    assertEquals("摘要", e.getAbstract());
    assertEquals("数据局", e.getProviderName());
    assertEquals("91110108MA01ABCD5T", e.getProviderUscc());
    assertEquals(List.of("csv", "api"), e.getFormats());
    assertEquals(Long.valueOf(18), e.getItems().get(0).getLength());
    assertNull(e.getItems().get(1).getLength());
    assertEquals("成立", e.getItems().get(1).getDescription());
    assertEquals("conditional", e.getSharingType());
    assertEquals(List.of("api", "file"), e.getSharingModes());
    assertEquals("none", e.getOpenType());
    assertEquals("daily", e.getUpdateCycle());
    assertEquals("2024-01-01", e.getIssued());
    assertEquals("2024-02-01", e.getModified());
    assertEquals(List.of("102/000002"), e.getRelated());
    assertEquals(List.of("企业"), e.getKeywords());
    // the entry's JSON keeps members without a getter, numbers and literals included
    assertTrue(e.toJson().contains("\"x-local\":{\"k\":[1,2.5,true,null]}"), e.toJson());
    assertEquals(e, CatalogEntry.fromJson(e.toJson()));
    assertEquals(r, CatalogRecord.fromJson(r.toJson()));
    assertEquals(List.of(r), CatalogRecord.listFromJson("[" + json + "]"));
  }

  @Test
  void jsonWriterRoundTrips() {
    String doc = q("{'a':[1,-2,3.5,1.0E-4,true,false,null,'x\\'y\\\\z\\n\\u0001'],'b':{},'c':[],'big':123456789012345678901234567890}");
    Object v = Json.parse(doc);
    assertEquals(v, Json.parse(Json.write(v)));
    assertEquals("{\"b\":{},\"c\":[]}", Json.write(Json.parse("{ \"b\" : { } , \"c\" : [ ] }")));
    assertThrows(IllegalArgumentException.class, () -> Json.write(Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> Json.write(new Object()));
  }
}
