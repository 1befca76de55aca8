package org.civitas;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.civitas.internal.CivitasNative;
import org.civitas.internal.Json;

/**
 * The city's data policy (docs/policy.md, docs/formats/policy.md): checks of a policy document
 * ({@link #check}), the bundled default policy ({@link #defaultPolicy}), grading of a
 * classified table ({@link #grade}), and the audited calls with a {@link Workspace}: a
 * classification recorded for a stored catalog entry ({@link #record}) and sharing / opening
 * decisions ({@link #decide}).
 *
 * <p>Policies, scans and schemas go in as JSON text; a null policy is the bundled one. A
 * denial is a {@link Decision} whose {@link Decision#isAllowed()} is false, never an exception.
 * All methods are thread-safe.
 */
public final class Policy {
  private Policy() {}

  /** Every problem of a policy document, each with its JSON pointer. Malformed JSON is a report too. */
  public static CheckReport check(String policyJson) {
    Errors.requireArg(policyJson, "policyJson");
    String[] out = new String[1];
    Errors.check(CivitasNative.civ_policy_check(out, policyJson));
    return CheckReport.fromJson(out[0]);
  }

  /** The bundled default city policy (JSON text). */
  public static String defaultPolicy() {
    String[] out = new String[1];
    Errors.check(CivitasNative.civ_policy_default(out));
    return out[0];
  }

  /**
   * Grades a scan (the JSON of {@link Classify} or of {@code civitas classify scan --json}).
   *
   * @param policyJson a policy, or null for the bundled one
   * @throws InvalidDataException for an invalid policy or a scan that is not that shape
   */
  public static Grading grade(String policyJson, String scanJson) {
    Errors.requireArg(scanJson, "scanJson");
    String[] out = new String[1];
    Errors.check(CivitasNative.civ_policy_grade(out, policyJson, scanJson));
    return Grading.fromJson(out[0]);
  }

  /**
   * Records a scan, graded by the policy, as the latest classification of a stored catalog
   * entry (audit entry {@code classify.record}).
   *
   * @param policyJson a policy, or null for the bundled one
   * @throws NotFoundException when there is no such catalog entry
   */
  public static Classification record(Workspace workspace, String resourceCode, String scanJson, String policyJson) {
    Errors.requireArg(workspace, "workspace");
    Errors.requireArg(resourceCode, "resourceCode");
    Errors.requireArg(scanJson, "scanJson");
    StringBuilder req = new StringBuilder("{\"resource\":");
    Json.quote(req, resourceCode);
    req.append(",\"scan\":").append(checked(scanJson, "scanJson"));
    if (policyJson != null) {
      req.append(",\"policy\":").append(checked(policyJson, "policyJson"));
    }
    String request = req.append('}').toString();
    String[] out = new String[1];
    Errors.check(workspace.call(p -> CivitasNative.civ_policy_record(out, p, request)));
    return Classification.fromJson(out[0]);
  }

  /**
   * Decides sharing a stored catalog entry with a department, or opening it to the public
   * (audit entry {@code policy.decide}). The table level comes from the latest recorded
   * classification, else from the annotations of {@code schemaJson}; an unclassified table is
   * denied.
   *
   * @param consumer   the consumer department's USCC
   * @param open       true to decide opening instead of sharing
   * @param policyJson a policy, or null for the bundled one
   * @param schemaJson a Table Schema, or null
   * @throws InvalidArgumentException for a consumer that is not a valid USCC or a blank purpose
   * @throws NotFoundException when there is no such catalog entry
   */
  public static Decision decide(Workspace workspace, String resourceCode, String consumer, String purpose, boolean open,
                                String policyJson, String schemaJson) {
    Errors.requireArg(workspace, "workspace");
    Errors.requireArg(resourceCode, "resourceCode");
    Errors.requireArg(consumer, "consumer");
    Errors.requireArg(purpose, "purpose");
    StringBuilder req = new StringBuilder("{\"resource\":");
    Json.quote(req, resourceCode);
    req.append(",\"consumer\":");
    Json.quote(req, consumer);
    req.append(",\"purpose\":");
    Json.quote(req, purpose);
    req.append(",\"open\":").append(open);
    if (policyJson != null) {
      req.append(",\"policy\":").append(checked(policyJson, "policyJson"));
    }
    if (schemaJson != null) {
      req.append(",\"schema\":").append(checked(schemaJson, "schemaJson"));
    }
    String request = req.append('}').toString();
    String[] out = new String[1];
    Errors.check(workspace.call(p -> CivitasNative.civ_policy_decide(out, p, request)));
    return Decision.fromJson(out[0]);
  }

  /** As {@link #decide(Workspace, String, String, String, boolean, String, String)} with the bundled policy. */
  public static Decision decide(Workspace workspace, String resourceCode, String consumer, String purpose, boolean open) {
    return decide(workspace, resourceCode, consumer, purpose, open, null, null);
  }

  /** A JSON object as given, after checking that it is one (ParseException otherwise). */
  private static String checked(String json, String what) {
    JsonDoc.object(json, what);
    return json;
  }

  /** One graded column. Immutable. */
  public static final class GradedColumn {
    private final String name;
    private final String type;
    private final double ratio;
    private final double confidence;
    private final String category;
    private final String level;
    private final String source;

    GradedColumn(Map<String, Object> o, String what) {
      name = JsonDoc.str(o, "name", what);
      type = JsonDoc.str(o, "type", what);
      ratio = JsonDoc.num(o, "ratio", 0, what);
      confidence = JsonDoc.num(o, "confidence", 0, what);
      category = JsonDoc.optStr(o, "category", what);
      level = JsonDoc.optStr(o, "level", what);
      source = JsonDoc.str(o, "source", what);
    }

    public String getName() {
      return name;
    }

    /** The detected type ("ric", "mobile_phone", …, "none") or a user detector's name. */
    public String getType() {
      return type;
    }

    public double getRatio() {
      return ratio;
    }

    public double getConfidence() {
      return confidence;
    }

    /** The policy's category id (or a schema annotation's as written). */
    public String getCategory() {
      return category;
    }

    /** The policy's level id (or a schema annotation's as written). */
    public String getLevel() {
      return level;
    }

    /** "detected", "schema" or "name". */
    public String getSource() {
      return source;
    }

    @Override
    public String toString() {
      return name + ":" + type + "/" + category + "/" + level;
    }
  }

  /** A graded table: its columns and the table level. Immutable. */
  public static final class Grading {
    private static final String WHAT = "grading";
    private final String json;
    private final List<GradedColumn> columns;
    private final String level;

    private Grading(String json, Map<String, Object> o) {
      this.json = json;
      List<GradedColumn> cs = new ArrayList<>();
      for (Map<String, Object> c : JsonDoc.objects(o, "columns", WHAT)) {
        cs.add(new GradedColumn(c, WHAT));
      }
      this.columns = Collections.unmodifiableList(cs);
      this.level = JsonDoc.optStr(o, "level", WHAT);
    }

    static Grading fromJson(String json) {
      return new Grading(json, JsonDoc.object(json, WHAT));
    }

    public List<GradedColumn> getColumns() {
      return columns;
    }

    /** The table level: the highest column level, raised by the combination rules. */
    public String getLevel() {
      return level;
    }

    /** The scan JSON {@code {"columns":[…],"level"}}. */
    public String toJson() {
      return json;
    }
  }

  /** A classification recorded for a catalog entry. Immutable. */
  public static final class Classification {
    private static final String WHAT = "classification record";
    private final String resourceCode;
    private final long seq;
    private final String level;
    private final String policyId;
    private final String policyDigest;
    private final long createdMs;
    private final Grading scan;

    private Classification(Map<String, Object> o) {
      resourceCode = JsonDoc.str(o, "resourceCode", WHAT);
      seq = JsonDoc.lng(o, "seq", WHAT);
      level = JsonDoc.str(o, "level", WHAT);
      policyId = JsonDoc.str(o, "policy", WHAT);
      policyDigest = JsonDoc.str(o, "policyDigest", WHAT);
      createdMs = JsonDoc.lng(o, "created_ms", WHAT);
      Map<String, Object> s = JsonDoc.optObject(o, "scan", WHAT);
      scan = new Grading(JsonDoc.write(s), s);
    }

    static Classification fromJson(String json) {
      return new Classification(JsonDoc.object(json, WHAT));
    }

    public String getResourceCode() {
      return resourceCode;
    }

    /** 1, 2, … per resource code. */
    public long getSeq() {
      return seq;
    }

    public String getLevel() {
      return level;
    }

    public String getPolicyId() {
      return policyId;
    }

    /** "sha256:…" of the policy that graded it. */
    public String getPolicyDigest() {
      return policyDigest;
    }

    public long getCreatedMs() {
      return createdMs;
    }

    public Grading getScan() {
      return scan;
    }
  }

  /** One field of a decision: its grading, role and obligation. Immutable. */
  public static final class FieldDecision {
    private final String name;
    private final String type;
    private final String category;
    private final String level;
    private final String role;
    private final String action;
    private final String obligationJson;
    private final String rule;

    FieldDecision(Map<String, Object> o, String what) {
      name = JsonDoc.str(o, "name", what);
      type = JsonDoc.str(o, "type", what);
      category = JsonDoc.str(o, "category", what);
      level = JsonDoc.str(o, "level", what);
      role = JsonDoc.str(o, "role", what);
      Map<String, Object> ob = JsonDoc.optObject(o, "obligation", what);
      action = JsonDoc.str(ob, "action", what);
      obligationJson = JsonDoc.write(ob);
      rule = JsonDoc.str(o, "rule", what);
    }

    public String getName() {
      return name;
    }

    public String getType() {
      return type;
    }

    public String getCategory() {
      return category;
    }

    public String getLevel() {
      return level;
    }

    /** "identifier", "quasi-identifier", "sensitive" or "insensitive". */
    public String getRole() {
      return role;
    }

    /** "keep", "drop", "encrypt", "tokenize", "pseudonymize", "generalize", "mask", … */
    public String getAction() {
      return action;
    }

    /** The obligation with its parameters, e.g. {@code {"action":"mask","keepFirst":3}}. */
    public String getObligationJson() {
      return obligationJson;
    }

    /** JSON pointer of the policy rule that gave the obligation. */
    public String getRule() {
      return rule;
    }

    @Override
    public String toString() {
      return name + ":" + action;
    }
  }

  /** A sharing or opening decision (docs/policy.md, "Decisions"). Immutable. */
  public static final class Decision {
    private static final String WHAT = "decision";
    private final String json;
    private final String decision;
    private final String kind;
    private final String type;
    private final String catalogType;
    private final String policyType;
    private final String level;
    private final String levelSource;
    private final List<String> conditions;
    private final String legalBasis;
    private final List<String> reasons;
    private final List<FieldDecision> fields;
    private final Long k;
    private final Double riskThreshold;
    private final String policyId;
    private final String policyDigest;

    private Decision(String json, Map<String, Object> o) {
      this.json = json;
      decision = JsonDoc.str(o, "decision", WHAT);
      kind = JsonDoc.str(o, "kind", WHAT);
      type = JsonDoc.str(o, "type", WHAT);
      catalogType = JsonDoc.optStr(o, "catalogType", WHAT);
      policyType = JsonDoc.str(o, "policyType", WHAT);
      level = JsonDoc.optStr(o, "level", WHAT);
      levelSource = JsonDoc.str(o, "levelSource", WHAT);
      conditions = Collections.unmodifiableList(JsonDoc.strings(o, "conditions", WHAT));
      legalBasis = JsonDoc.optStr(o, "legalBasis", WHAT);
      reasons = Collections.unmodifiableList(JsonDoc.strings(o, "reasons", WHAT));
      List<FieldDecision> fs = new ArrayList<>();
      for (Map<String, Object> f : JsonDoc.objects(o, "fields", WHAT)) {
        fs.add(new FieldDecision(f, WHAT));
      }
      fields = Collections.unmodifiableList(fs);
      k = JsonDoc.optLng(JsonDoc.optObject(o, "privacy", WHAT), "k", WHAT);
      Object rt = o.get("riskThreshold");
      riskThreshold = rt instanceof Number ? ((Number) rt).doubleValue() : null;
      Map<String, Object> p = JsonDoc.optObject(o, "policy", WHAT);
      policyId = JsonDoc.str(p, "id", WHAT);
      policyDigest = JsonDoc.str(p, "digest", WHAT);
    }

    static Decision fromJson(String json) {
      return new Decision(json, JsonDoc.object(json, WHAT));
    }

    /** "allow", "allow_with_obligations" or "deny". */
    public String getDecision() {
      return decision;
    }

    /** True for allow and allow_with_obligations. */
    public boolean isAllowed() {
      return !"deny".equals(decision);
    }

    /** "share" or "open". */
    public String getKind() {
      return kind;
    }

    /** The effective type: "unconditional", "conditional" or "none" (the stricter of catalog and policy). */
    public String getType() {
      return type;
    }

    public String getCatalogType() {
      return catalogType;
    }

    public String getPolicyType() {
      return policyType;
    }

    /** The table level, or null when unclassified. */
    public String getLevel() {
      return level;
    }

    /** "classification", "schema" or "none". */
    public String getLevelSource() {
      return levelSource;
    }

    public List<String> getConditions() {
      return conditions;
    }

    public String getLegalBasis() {
      return legalBasis;
    }

    public List<String> getReasons() {
      return reasons;
    }

    /** Every field with its obligation (empty for a denial). */
    public List<FieldDecision> getFields() {
      return fields;
    }

    /** The k of k-anonymity a rule asks for, or null. */
    public Long getPrivacyK() {
      return k;
    }

    /** Opening: the policy's re-identification risk threshold; null for sharing. */
    public Double getRiskThreshold() {
      return riskThreshold;
    }

    public String getPolicyId() {
      return policyId;
    }

    public String getPolicyDigest() {
      return policyDigest;
    }

    /** The decision as the C API returned it. */
    public String toJson() {
      return json;
    }

    @Override
    public String toString() {
      return "Decision{" + decision + ", " + type + ", " + level + "}";
    }
  }
}
