package org.civitas;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A catalog entry (政务信息资源目录条目, docs/formats/catalog-entry.md) as typed values: the
 * resource code, title, abstract, provider, formats, data items, sharing and open attributes,
 * update cycle and dates. From {@link Catalog#get}, {@link Catalog#importEntry} and
 * {@link CatalogRecord#getEntry()} (normalised entries), or {@link #fromJson} for any entry
 * document. Members an entry lacks read as "" (strings), null (numbers) or empty (lists); the
 * whole entry, other members included, is {@link #toJson()} (what {@link Catalog#add},
 * {@link Catalog#check} and {@link Catalog#export} take). Immutable. Reading does not check the
 * guideline's rules: {@link Catalog#check} does.
 */
public final class CatalogEntry {
  private static final String WHAT = "catalog entry";

  /** A data item (信息项) of an entry. */
  public static final class Item {
    private final String name;
    private final String dataType;
    private final Long length;
    private final String description;

    Item(Map<String, Object> o) {
      this.name = orEmpty(JsonDoc.optStr(o, "name", WHAT));
      this.dataType = orEmpty(JsonDoc.optStr(o, "dataType", WHAT));
      this.length = JsonDoc.optLng(o, "length", WHAT);
      this.description = orEmpty(JsonDoc.optStr(o, "description", WHAT));
    }

    /** 信息项名称. */
    public String getName() {
      return name;
    }

    /** 数据类型: one of C N Y D T L M G B I F. */
    public String getDataType() {
      return dataType;
    }

    /** 数据长度, or null. */
    public Long getLength() {
      return length;
    }

    /** Description, or "". */
    public String getDescription() {
      return description;
    }

    @Override
    public String toString() {
      return name + " " + dataType + (length == null ? "" : "(" + length + ")");
    }
  }

  private final String json;
  private final String resourceCode;
  private final String title;
  private final String abstractText;
  private final String providerName;
  private final String providerUscc;
  private final List<String> formats;
  private final List<Item> items;
  private final String sharingType;
  private final List<String> sharingModes;
  private final String openType;
  private final String updateCycle;
  private final String issued;
  private final String modified;
  private final List<String> related;
  private final List<String> keywords;

  private CatalogEntry(String json, Map<String, Object> o) {
    this.json = json;
    this.resourceCode = orEmpty(JsonDoc.optStr(o, "resourceCode", WHAT));
    this.title = orEmpty(JsonDoc.optStr(o, "title", WHAT));
    this.abstractText = orEmpty(JsonDoc.optStr(o, "abstract", WHAT));
    Map<String, Object> provider = JsonDoc.optObject(o, "provider", WHAT);
    this.providerName = provider == null ? "" : orEmpty(JsonDoc.optStr(provider, "name", WHAT));
    this.providerUscc = provider == null ? "" : orEmpty(JsonDoc.optStr(provider, "uscc", WHAT));
    this.formats = JsonDoc.strings(o, "formats", WHAT);
    List<Item> is = new ArrayList<>();
    for (Map<String, Object> i : JsonDoc.objects(o, "items", WHAT)) {
      is.add(new Item(i));
    }
    this.items = Collections.unmodifiableList(is);
    Map<String, Object> sharing = JsonDoc.optObject(o, "sharing", WHAT);
    this.sharingType = sharing == null ? "" : orEmpty(JsonDoc.optStr(sharing, "type", WHAT));
    this.sharingModes = sharing == null ? Collections.<String>emptyList() : JsonDoc.strings(sharing, "modes", WHAT);
    Map<String, Object> open = JsonDoc.optObject(o, "open", WHAT);
    this.openType = open == null ? "" : orEmpty(JsonDoc.optStr(open, "type", WHAT));
    this.updateCycle = orEmpty(JsonDoc.optStr(o, "updateCycle", WHAT));
    this.issued = orEmpty(JsonDoc.optStr(o, "issued", WHAT));
    this.modified = orEmpty(JsonDoc.optStr(o, "modified", WHAT));
    this.related = JsonDoc.strings(o, "related", WHAT);
    this.keywords = JsonDoc.strings(o, "keywords", WHAT);
  }

  static CatalogEntry of(Map<String, Object> o) {
    return new CatalogEntry(JsonDoc.write(o), o);
  }

  /**
   * Reads an entry document (JSON object).
   *
   * @throws ParseException when it is not a JSON object, or a member has the wrong JSON type
   */
  public static CatalogEntry fromJson(String json) {
    return new CatalogEntry(json, JsonDoc.object(json, WHAT));
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }

  /** 信息资源代码, e.g. "102003004/000017" ("" when the entry does not give it). */
  public String getResourceCode() {
    return resourceCode;
  }

  /** 信息资源名称. */
  public String getTitle() {
    return title;
  }

  /** 信息资源摘要. */
  public String getAbstract() {
    return abstractText;
  }

  /** 信息资源提供方: name. */
  public String getProviderName() {
    return providerName;
  }

  /** 信息资源提供方: USCC. */
  public String getProviderUscc() {
    return providerUscc;
  }

  /** 信息资源格式 ("csv", "api", …). */
  public List<String> getFormats() {
    return formats;
  }

  /** 信息项. */
  public List<Item> getItems() {
    return items;
  }

  /** 共享类型: "unconditional", "conditional" or "none" (normalised entries). */
  public String getSharingType() {
    return sharingType;
  }

  /** 共享方式: "database", "api", "file", "other". */
  public List<String> getSharingModes() {
    return sharingModes;
  }

  /** 开放类型: "unconditional", "conditional" or "none" (normalised entries). */
  public String getOpenType() {
    return openType;
  }

  /** 更新周期 ("daily", …). */
  public String getUpdateCycle() {
    return updateCycle;
  }

  /** 发布日期, YYYY-MM-DD. */
  public String getIssued() {
    return issued;
  }

  /** 更新日期, YYYY-MM-DD, or "". */
  public String getModified() {
    return modified;
  }

  /** 关联资源代码. */
  public List<String> getRelated() {
    return related;
  }

  /** Keywords. */
  public List<String> getKeywords() {
    return keywords;
  }

  /** The entry document (every member, as read). */
  public String toJson() {
    return json;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CatalogEntry && ((CatalogEntry) o).json.equals(json);
  }

  @Override
  public int hashCode() {
    return json.hashCode();
  }

  @Override
  public String toString() {
    return "CatalogEntry{" + resourceCode + " " + title + "}";
  }
}
