// The optimal search: globally optimal full-domain generalisation over a weighted frequency
// table (docs/deid.md "How the search works"). Nodes of the lattice are level vectors; they
// are visited in ascending order of a lower bound of the measure (for non-uniform entropy
// and loss without suppression the bound is the exact value, so the first anonymous node
// is the optimum); predictive tagging (anonymous → every successor anonymous, not anonymous
// → every predecessor not anonymous) uses the monotonicity of the privacy model as ARX
// defines it; a check rolls up the classes of a checked predecessor when one is cached.
#include <algorithm>
#include <cmath>
#include <list>
#include <numeric>

#include "civitas/deid.hpp"
#include "intern.hpp"

namespace civitas::deid {

using nlohmann::json;

json Measures::to_json() const {
  return {{"entropy", entropy}, {"discernibility", discernibility}, {"aecs", aecs}, {"loss", loss}};
}

namespace {

// A table of rows (QI codes at `levels`) with weights and sparse sensitive counts.
struct Table {
  std::vector<std::uint32_t> levels;
  std::size_t rows = 0;
  std::vector<std::uint32_t> codes;
  std::vector<std::uint64_t> weights;
  std::vector<std::vector<std::uint64_t>> sbegin;
  std::vector<std::vector<std::pair<std::uint32_t, std::uint64_t>>> sens;
};

struct SensInfo {
  std::size_t D = 0;
  std::vector<std::uint64_t> global;  // counts over all records
  // hierarchical distance: the tree over the sensitive hierarchy
  bool tree = false;
  std::size_t height = 0;                        // levels - 1
  std::vector<std::vector<std::uint32_t>> up;    // [level][value] → label id (level ≥ 1)
  std::vector<std::size_t> labels;               // labels per level
};

struct Outcome {
  bool anonymous = false;
  bool k_part = true;        // k-anonymity (with the suppression limit) alone holds
  std::uint64_t outliers = 0;
  double loss = 0;           // of the selected measure
  Measures m;
  std::uint64_t classes = 0;
};

class Engine {
 public:
  Engine(const FrequencyTable& t, const std::vector<Hierarchy>& h, const std::vector<const Hierarchy*>& sh, const Privacy& p)
      : h_(h), p_(p), q_(t.qis()) {
    t.check();
    if (h.size() != q_) throw Error(Code::invalid_argument, "search: one hierarchy per quasi-identifier is needed");
    for (std::size_t i = 0; i < q_; ++i)
      if (h[i].values() != t.qi_values[i].size())
        throw Error(Code::invalid_argument, "search: the hierarchy of " + t.qi_names[i] + " is not built for its values");
    N_ = t.total();
    max_out_ = static_cast<std::uint64_t>(std::floor(p.suppression_limit * static_cast<double>(N_)));
    need_sens_ = p.l.has_value() || p.t.has_value();
    if (need_sens_ && t.sensitive_names.empty())
      throw Error(Code::invalid_argument, "search: l-diversity and t-closeness need a sensitive attribute in the table");
    // value weights per QI, label weights per level, per-level separable losses
    radix_.resize(q_);
    lattice_ = 1;
    for (std::size_t i = 0; i < q_; ++i) {
      radix_[i] = h[i].levels();
      if (lattice_ > (std::uint64_t{1} << 26) / radix_[i])
        throw Error(Code::invalid_argument, "search: the generalisation lattice has more than 67 million transformations");
      lattice_ *= radix_[i];
    }
    ent_.resize(q_);
    lm_.resize(q_);
    lmv_.resize(q_);
    up_.resize(q_);
    for (std::size_t i = 0; i < q_; ++i) {
      const Hierarchy& H = h[i];
      std::vector<double> nv(H.values(), 0);
      for (std::size_t r = 0; r < t.rows(); ++r) nv[t.codes[r * q_ + i]] += static_cast<double>(t.weights[r]);
      const double dom = static_cast<double>(H.values());
      for (std::size_t l = 0; l < H.levels(); ++l) {
        std::vector<double> ng(H.labels_at(l), 0), leaves(H.labels_at(l), 0);
        for (std::uint32_t v = 0; v < H.values(); ++v) {
          ng[H.of(l, v)] += nv[v];
          leaves[H.of(l, v)] += 1;
        }
        double e = 0, lm = 0;
        std::vector<double> lmv(H.labels_at(l));
        for (std::size_t g = 0; g < lmv.size(); ++g) lmv[g] = dom > 1 ? (leaves[g] - 1) / (dom - 1) : 0;
        for (std::uint32_t v = 0; v < H.values(); ++v) {
          if (nv[v] > 0) e += nv[v] * std::log2(ng[H.of(l, v)] / nv[v]);
          lm += nv[v] * lmv[H.of(l, v)];
        }
        ent_[i].push_back(e);
        lm_[i].push_back(lm);
        lmv_[i].push_back(std::move(lmv));
      }
      // up_[i][a][b][label at a] = label at b (a < b)
      up_[i].resize(H.levels());
      for (std::size_t a = 0; a < H.levels(); ++a) {
        up_[i][a].resize(H.levels());
        for (std::size_t b = a + 1; b < H.levels(); ++b) {
          auto& m = up_[i][a][b];
          m.assign(H.labels_at(a), 0);
          for (std::uint32_t v = 0; v < H.values(); ++v) m[H.of(a, v)] = H.of(b, v);
        }
      }
    }
    // sensitive attributes
    sinfo_.resize(t.sensitive_names.size());
    for (std::size_t s = 0; s < sinfo_.size(); ++s) {
      SensInfo& si = sinfo_[s];
      si.D = t.sensitive_values[s].size();
      si.global.assign(si.D, 0);
      for (const auto& e : t.sens[s]) si.global[e.first] += e.second;
      if (p.t && p.t->distance == TDistance::hierarchical) {
        const Hierarchy* sh_s = s < sh.size() ? sh[s] : nullptr;
        if (!sh_s) throw Error(Code::invalid_argument, "search: hierarchical t-closeness needs the hierarchy of " + t.sensitive_names[s]);
        if (sh_s->values() != si.D) throw Error(Code::invalid_argument, "search: the hierarchy of " + t.sensitive_names[s] + " is not built for its values");
        si.tree = true;
        si.height = sh_s->levels() - 1;
        si.up.resize(sh_s->levels());
        si.labels.resize(sh_s->levels());
        for (std::size_t l = 0; l < sh_s->levels(); ++l) {
          si.labels[l] = sh_s->labels_at(l);
          si.up[l].resize(si.D);
          for (std::uint32_t v = 0; v < si.D; ++v) si.up[l][v] = sh_s->of(l, v);
        }
      }
    }
    // bit widths for packed keys (a label id at any level is below the level-0 count)
    bits_.resize(q_);
    shift_.resize(q_);
    std::size_t total_bits = 0;
    for (std::size_t i = 0; i < q_; ++i) {
      std::uint32_t b = 1;
      while ((std::uint64_t{1} << b) < std::max<std::size_t>(h[i].values(), 2)) ++b;
      bits_[i] = b;
      shift_[i] = static_cast<std::uint32_t>(total_bits);
      total_bits += b;
    }
    packed_ = total_bits <= 64;
    // level-0 table
    base_.levels.assign(q_, 0);
    base_.rows = t.rows();
    base_.codes = t.codes;
    base_.weights = t.weights;
    base_.sbegin = t.sens_begin;
    base_.sens = t.sens;
    scratch_.resize(sinfo_.size());
    for (std::size_t s = 0; s < sinfo_.size(); ++s) scratch_[s].assign(sinfo_[s].D, 0);
  }

  std::uint64_t lattice() const { return lattice_; }
  std::vector<std::uint32_t> decode(std::uint64_t idx) const {
    std::vector<std::uint32_t> lv(q_);
    for (std::size_t i = q_; i-- > 0;) {
      lv[i] = static_cast<std::uint32_t>(idx % radix_[i]);
      idx /= radix_[i];
    }
    return lv;
  }
  std::uint64_t encode(const std::vector<std::uint32_t>& lv) const {
    std::uint64_t idx = 0;
    for (std::size_t i = 0; i < q_; ++i) idx = idx * radix_[i] + lv[i];
    return idx;
  }
  const std::vector<std::uint32_t>& radix() const { return radix_; }

  // The lower bound of the measure at a node (exact for entropy and loss without suppression).
  double bound(const std::vector<std::uint32_t>& lv) const {
    if (p_.measure == Measure::entropy) {
      double e = 0;
      for (std::size_t i = 0; i < q_; ++i) e += ent_[i][lv[i]];
      return e;
    }
    if (p_.measure == Measure::loss) {
      double l = 0;
      for (std::size_t i = 0; i < q_; ++i) l += lm_[i][lv[i]];
      return q_ && N_ ? l / (static_cast<double>(N_) * static_cast<double>(q_)) : 0;
    }
    return 0;
  }

  bool monotone_privacy() const {
    if (max_out_ == 0) return true;
    // With suppression: k-anonymity and distinct l-diversity stay monotone (ARX).
    if (p_.t) return false;
    if (p_.l && p_.l->variant != LVariant::distinct) return false;
    return true;
  }
  bool monotone_measure() const { return max_out_ == 0; }

  // Checks a node; keeps its class table for roll-ups. row_flags: per source row of the
  // level-0 table, outlier or not (only when from level 0).
  Outcome check(const std::vector<std::uint32_t>& lv, std::vector<std::uint8_t>* row_flags = nullptr,
                std::vector<std::pair<std::uint64_t, std::uint64_t>>* sizes = nullptr) {
    const Table* src = &base_;
    if (!row_flags) {
      for (const auto& c : cache_) {
        bool le = true;
        for (std::size_t i = 0; i < q_ && le; ++i) le = c.levels[i] <= lv[i];
        if (le && c.rows < src->rows) src = &c;
      }
    }
    const Table& S = *src;
    std::vector<std::uint32_t> cls(S.rows);
    std::vector<std::uint64_t> w;
    w.reserve(S.rows / 2 + 16);
    std::vector<const std::vector<std::uint32_t>*> maps(q_, nullptr);
    for (std::size_t i = 0; i < q_; ++i)
      if (lv[i] != S.levels[i]) maps[i] = &up_[i][S.levels[i]][lv[i]];
    Table out;
    out.levels = lv;
    if (packed_) {
      // Keys packed into 64 bits: one flat open-addressing table, reused between checks
      // (a slot is live when its stamp is this check's).
      std::size_t cap = 64;
      while (cap < S.rows * 2 + 16) cap <<= 1;
      if (slots_.size() < cap) slots_.assign(cap, Slot{});
      if (++stamp_ == 0) {
        for (auto& sl : slots_) sl.stamp = 0;
        stamp_ = 1;
      }
      const std::size_t mask = cap - 1;
      // Each quasi-identifier's share of the packed key, per code of the source table.
      contrib_.resize(q_);
      for (std::size_t i = 0; i < q_; ++i) {
        const std::size_t n = h_[i].labels_at(S.levels[i]);
        contrib_[i].resize(n);
        for (std::size_t v = 0; v < n; ++v)
          contrib_[i][v] = static_cast<std::uint64_t>(maps[i] ? (*maps[i])[v] : static_cast<std::uint32_t>(v)) << shift_[i];
      }
      std::vector<std::uint64_t> keys;
      keys.reserve(S.rows / 2 + 16);
      // When the node's combinations of labels are few, a class is found by its mixed-radix
      // index in a plain array instead of by hashing (the same ids in the same order).
      std::uint64_t combos = 1;
      const std::uint64_t dense_max = std::max<std::uint64_t>(S.rows * 2 + 16, 65536);
      for (std::size_t i = 0; i < q_ && combos <= dense_max; ++i) combos *= h_[i].labels_at(lv[i]);
      if (combos <= dense_max) {
        if (dense_.size() < combos) dense_.assign(combos, Slot{});
        if (++dense_stamp_ == 0) {
          for (auto& sl : dense_) sl.stamp = 0;
          dense_stamp_ = 1;
        }
        dcontrib_.resize(q_);
        std::uint64_t stride = 1;
        for (std::size_t i = q_; i-- > 0;) {
          const std::size_t n = h_[i].labels_at(S.levels[i]);
          dcontrib_[i].resize(n);
          for (std::size_t v = 0; v < n; ++v)
            dcontrib_[i][v] = static_cast<std::uint64_t>(maps[i] ? (*maps[i])[v] : static_cast<std::uint32_t>(v)) * stride;
          stride *= h_[i].labels_at(lv[i]);
        }
        for (std::size_t r = 0; r < S.rows; ++r) {
          const std::uint32_t* c = S.codes.data() + r * q_;
          std::uint64_t at = 0;
          for (std::size_t i = 0; i < q_; ++i) at += dcontrib_[i][c[i]];
          Slot& sl = dense_[at];
          if (sl.stamp != dense_stamp_) {
            sl.stamp = dense_stamp_;
            sl.id = static_cast<std::uint32_t>(keys.size());
            std::uint64_t key = 0;
            for (std::size_t i = 0; i < q_; ++i) key |= contrib_[i][c[i]];
            keys.push_back(key);
            w.push_back(0);
          }
          w[sl.id] += S.weights[r];
          cls[r] = sl.id;
        }
      }
      for (std::size_t r = 0; r < S.rows && combos > dense_max; ++r) {
        const std::uint32_t* c = S.codes.data() + r * q_;
        std::uint64_t key = 0;
        for (std::size_t i = 0; i < q_; ++i) key |= contrib_[i][c[i]];
        std::size_t h = detail::mix64(key) & mask;
        while (true) {
          Slot& sl = slots_[h];
          if (sl.stamp != stamp_) {
            sl.stamp = stamp_;
            sl.key = key;
            sl.id = static_cast<std::uint32_t>(keys.size());
            keys.push_back(key);
            w.push_back(0);
            break;
          }
          if (sl.key == key) break;
          h = (h + 1) & mask;
        }
        const std::uint32_t id = slots_[h].id;
        w[id] += S.weights[r];
        cls[r] = id;
      }
      out.codes.resize(keys.size() * q_);
      for (std::size_t k = 0; k < keys.size(); ++k)
        for (std::size_t i = 0; i < q_; ++i)
          out.codes[k * q_ + i] = static_cast<std::uint32_t>((keys[k] >> shift_[i]) & ((std::uint64_t{1} << bits_[i]) - 1));
    } else {
      detail::TupleIndex idx(q_, S.rows / 2 + 16);
      std::vector<std::uint32_t> key(q_);
      for (std::size_t r = 0; r < S.rows; ++r) {
        const std::uint32_t* c = S.codes.data() + r * q_;
        for (std::size_t i = 0; i < q_; ++i) key[i] = maps[i] ? (*maps[i])[c[i]] : c[i];
        const auto [id, fresh] = idx.insert(key.data());
        if (fresh) w.push_back(0);
        w[id] += S.weights[r];
        cls[r] = id;
      }
      out.codes = std::move(idx.keys);
    }
    const std::size_t C = w.size();
    out.rows = C;
    out.weights = w;
    std::vector<std::uint8_t> bad(C, 0);
    std::uint64_t out_k = 0;
    for (std::size_t c = 0; c < C; ++c)
      if (w[c] < p_.k) {
        bad[c] = 1;
        out_k += w[c];
      }
    Outcome o;
    o.k_part = out_k <= max_out_;
    if (need_sens_) {
      // group the source rows by class (counting sort) and merge their sensitive counts
      std::vector<std::uint32_t> start(C + 1, 0), order(S.rows);
      for (std::size_t r = 0; r < S.rows; ++r) ++start[cls[r] + 1];
      for (std::size_t c = 0; c < C; ++c) start[c + 1] += start[c];
      {
        std::vector<std::uint32_t> pos(start.begin(), start.end() - 1);
        for (std::size_t r = 0; r < S.rows; ++r) order[pos[cls[r]]++] = static_cast<std::uint32_t>(r);
      }
      out.sbegin.resize(sinfo_.size());
      out.sens.resize(sinfo_.size());
      std::vector<std::uint32_t> touched;
      for (std::size_t s = 0; s < sinfo_.size(); ++s) {
        auto& dense = scratch_[s];
        out.sbegin[s].assign(1, 0);
        for (std::size_t c = 0; c < C; ++c) {
          touched.clear();
          for (std::uint32_t k = start[c]; k < start[c + 1]; ++k) {
            const std::uint32_t r = order[k];
            for (auto e = S.sbegin[s][r]; e < S.sbegin[s][r + 1]; ++e) {
              const auto& [v, n] = S.sens[s][e];
              if (dense[v] == 0) touched.push_back(v);
              dense[v] += n;
            }
          }
          const std::size_t b = out.sens[s].size();
          for (std::uint32_t v : touched) {
            out.sens[s].emplace_back(v, dense[v]);
            dense[v] = 0;
          }
          out.sbegin[s].push_back(out.sens[s].size());
          if (!bad[c] && !class_ok(s, w[c], out.sens[s].data() + b, out.sens[s].size() - b)) bad[c] = 1;
        }
      }
    }
    std::uint64_t outliers = 0;
    for (std::size_t c = 0; c < C; ++c)
      if (bad[c]) outliers += w[c];
    o.outliers = outliers;
    o.anonymous = outliers <= max_out_ && o.k_part;
    // Measures: the search needs the loss of an anonymous node only, and of its own measure
    // only; the result (row_flags, sizes) needs them all. Each is summed in the same order
    // whichever others are computed.
    const bool result = row_flags != nullptr || sizes != nullptr;
    if (o.anonymous || result) {
      const bool want_entropy = result || p_.measure == Measure::entropy;
      const bool want_loss = result || p_.measure == Measure::loss;
      Measures& m = o.m;
      m.entropy = 0;
      double lm = 0;
      for (std::size_t i = 0; i < q_; ++i) {
        m.entropy += ent_[i][lv[i]];
        lm += lm_[i][lv[i]];
      }
      std::uint64_t released_classes = 0;
      double dm = 0;
      if (outliers && (want_entropy || want_loss)) {
        // The suppressed classes once, in class order, then per quasi-identifier (the sums
        // run in the same order as over all classes).
        std::vector<std::uint32_t> bad_list;
        for (std::size_t c = 0; c < C; ++c)
          if (bad[c]) bad_list.push_back(static_cast<std::uint32_t>(c));
        for (std::size_t i = 0; i < q_; ++i) {
          const std::vector<double>& lmv = lmv_[i][lv[i]];
          if (want_loss)
            for (const std::uint32_t c : bad_list) lm += static_cast<double>(w[c]) * (1.0 - lmv[out.codes[c * q_ + i]]);
          if (want_entropy) {
            std::vector<double> cnt(h_[i].labels_at(lv[i]), 0);
            for (const std::uint32_t c : bad_list) cnt[out.codes[c * q_ + i]] += static_cast<double>(w[c]);
            for (double x : cnt)
              if (x > 0) m.entropy -= x * std::log2(x / static_cast<double>(outliers));
          }
        }
      }
      for (std::size_t c = 0; c < C; ++c)
        if (!bad[c]) {
          ++released_classes;
          dm += static_cast<double>(w[c]) * static_cast<double>(w[c]);
        }
      dm += static_cast<double>(outliers) * static_cast<double>(N_);
      m.discernibility = dm;
      const std::uint64_t cls_count = released_classes + (outliers ? 1 : 0);
      m.aecs = cls_count ? static_cast<double>(N_) / static_cast<double>(cls_count) : 0;
      m.loss = q_ && N_ ? lm / (static_cast<double>(N_) * static_cast<double>(q_)) : 0;
      o.classes = released_classes;
      switch (p_.measure) {
        case Measure::entropy: o.loss = m.entropy; break;
        case Measure::discernibility: o.loss = m.discernibility; break;
        case Measure::aecs: o.loss = m.aecs; break;
        case Measure::loss: o.loss = m.loss; break;
      }
    }
    if (row_flags) {
      row_flags->assign(S.rows, 0);
      for (std::size_t r = 0; r < S.rows; ++r) (*row_flags)[r] = bad[cls[r]];
    }
    if (sizes) {
      std::vector<std::uint64_t> ws;
      for (std::size_t c = 0; c < C; ++c)
        if (!bad[c]) ws.push_back(w[c]);
      *sizes = histogram(ws);
    }
    if (!row_flags && C < S.rows) {
      // Kept for roll-ups, within a budget of rows (memory stays small: 64 B a row at most).
      cached_rows_ += C;
      cache_.push_front(std::move(out));
      while (cached_rows_ > kCacheRows && cache_.size() > 1) {
        cached_rows_ -= cache_.back().rows;
        cache_.pop_back();
      }
    }
    return o;
  }

  static std::vector<std::pair<std::uint64_t, std::uint64_t>> histogram(std::vector<std::uint64_t> ws) {
    std::sort(ws.begin(), ws.end());
    std::vector<std::pair<std::uint64_t, std::uint64_t>> h;
    for (auto x : ws) {
      if (!h.empty() && h.back().first == x) ++h.back().second;
      else h.emplace_back(x, 1);
    }
    return h;
  }

 private:
  bool class_ok(std::size_t s, std::uint64_t total, const std::pair<std::uint32_t, std::uint64_t>* e, std::size_t n) {
    if (p_.l) {
      const LDiversity& L = *p_.l;
      const auto minSize = static_cast<std::size_t>(L.l);
      switch (L.variant) {
        case LVariant::distinct:
          if (n < minSize) return false;
          break;
        case LVariant::entropy: {
          if (n < static_cast<std::size_t>(std::ceil(L.l - 1e-12))) return false;
          // ARX: Σ f·ln f must not exceed N·(ln N − ln l)
          const double Ct = static_cast<double>(total) * (std::log(static_cast<double>(total)) - std::log(L.l));
          double sum = 0;
          for (std::size_t i = 0; i < n; ++i) {
            const double f = static_cast<double>(e[i].second);
            sum += f * std::log(f);
            if (Ct < sum) return false;
          }
          break;
        }
        case LVariant::recursive: {
          if (n < minSize) return false;
          std::vector<std::uint64_t> f(n);
          for (std::size_t i = 0; i < n; ++i) f[i] = e[i].second;
          std::sort(f.begin(), f.end());
          double threshold = 0;
          for (std::size_t i = n - minSize + 1; i-- > 0;) threshold += static_cast<double>(f[i]);
          threshold *= L.c;
          if (!(static_cast<double>(f[n - 1]) < threshold)) return false;
          break;
        }
      }
    }
    if (p_.t) {
      const SensInfo& si = sinfo_[s];
      const double P = static_cast<double>(N_), Q = static_cast<double>(total);
      if (p_.t->distance == TDistance::equal) {
        double val = 1.0;
        for (std::size_t i = 0; i < n; ++i) {
          const double g = static_cast<double>(si.global[e[i].first]) / P;
          val += std::fabs(g - static_cast<double>(e[i].second) / Q) - g;
        }
        if (!(val / 2 <= p_.t->t)) return false;
      } else {
        // Earth mover's distance over the hierarchy (ARX's HierarchicalDistanceTCloseness):
        // extra of a leaf = p·Q − q·P; at an inner node of level l, cost (l / height)·min(pos, neg).
        std::vector<double> extra(si.D);
        std::vector<double> cls(si.D, 0);
        for (std::size_t i = 0; i < n; ++i) cls[e[i].first] = static_cast<double>(e[i].second);
        for (std::size_t v = 0; v < si.D; ++v) extra[v] = static_cast<double>(si.global[v]) * Q - cls[v] * P;
        double cost = 0;
        std::vector<double> child = extra;  // extras of the nodes one level down, indexed by label
        std::vector<std::uint32_t> child_label(si.D);
        for (std::uint32_t v = 0; v < si.D; ++v) child_label[v] = v;
        // level 0 labels are the values themselves (ids = values)
        for (std::size_t l = 1; l <= si.height; ++l) {
          std::vector<double> pos(si.labels[l], 0), neg(si.labels[l], 0);
          // map each child node (label at l-1) to its parent (label at l)
          const std::size_t nchild = l == 1 ? si.D : si.labels[l - 1];
          std::vector<std::uint32_t> parent(nchild, 0);
          for (std::uint32_t v = 0; v < si.D; ++v) parent[l == 1 ? v : si.up[l - 1][v]] = si.up[l][v];
          for (std::size_t c = 0; c < nchild; ++c) {
            const double x = child[c];
            if (x > 0) pos[parent[c]] += x;
            else neg[parent[c]] -= x;
          }
          std::vector<double> next(si.labels[l]);
          for (std::size_t g = 0; g < next.size(); ++g) {
            cost += (static_cast<double>(l) / static_cast<double>(si.height)) * std::min(pos[g], neg[g]);
            next[g] = pos[g] - neg[g];
          }
          child.swap(next);
        }
        cost /= P * Q;
        if (!(cost <= p_.t->t)) return false;
      }
    }
    return true;
  }

  const std::vector<Hierarchy>& h_;
  const Privacy& p_;
  std::size_t q_;
  std::uint64_t N_ = 0, max_out_ = 0, lattice_ = 1;
  bool need_sens_ = false;
  std::vector<std::uint32_t> radix_;
  std::vector<std::vector<double>> ent_, lm_;
  std::vector<std::vector<std::vector<double>>> lmv_;
  std::vector<std::vector<std::vector<std::vector<std::uint32_t>>>> up_;
  std::vector<SensInfo> sinfo_;
  std::vector<std::vector<std::uint64_t>> scratch_;
  Table base_;
  std::list<Table> cache_;
  static constexpr std::size_t kCacheRows = 262144;
  std::size_t cached_rows_ = 0;
  bool packed_ = false;
  std::vector<std::uint32_t> bits_, shift_;
  struct Slot {
    std::uint64_t key = 0;
    std::uint32_t id = 0, stamp = 0;
  };
  std::vector<Slot> slots_;  // the packed-key hash table, reused between checks
  std::vector<std::vector<std::uint64_t>> contrib_;
  std::uint32_t stamp_ = 0;
  std::vector<Slot> dense_;  // the array of the mixed-radix path, reused between checks
  std::vector<std::vector<std::uint64_t>> dcontrib_;
  std::uint32_t dense_stamp_ = 0;
};

void fill_result(Engine& e, const std::vector<std::uint32_t>& lv, SearchResult& r, bool* anonymous) {
  Outcome o = e.check(lv, &r.row_suppressed, &r.class_sizes);
  r.levels = lv;
  r.suppressed = o.outliers;
  r.classes = o.classes;
  r.measures = o.m;
  if (anonymous) *anonymous = o.anonymous;
}

}  // namespace

std::vector<std::pair<std::uint64_t, std::uint64_t>> table_class_sizes(const FrequencyTable& t) {
  return Engine::histogram(t.weights);
}

SearchResult evaluate(const FrequencyTable& table, const std::vector<Hierarchy>& qi, const std::vector<const Hierarchy*>& sensitive,
                      const Privacy& privacy, const std::vector<std::uint32_t>& levels, bool* anonymous) {
  Engine e(table, qi, sensitive, privacy);
  if (levels.size() != qi.size()) throw Error(Code::invalid_argument, "evaluate: one level per quasi-identifier is needed");
  for (std::size_t i = 0; i < levels.size(); ++i)
    if (levels[i] >= e.radix()[i]) throw Error(Code::invalid_argument, "evaluate: level " + std::to_string(levels[i]) + " of " + table.qi_names[i] + " is above its hierarchy");
  SearchResult r;
  r.lattice = e.lattice();
  r.checks = 1;
  bool anon = false;
  fill_result(e, levels, r, &anon);
  r.found = anon;
  if (anonymous) *anonymous = anon;
  return r;
}

SearchResult search(const FrequencyTable& table, const std::vector<Hierarchy>& qi, const std::vector<const Hierarchy*>& sensitive,
                    const Privacy& privacy) {
  Engine e(table, qi, sensitive, privacy);
  const std::uint64_t n = e.lattice();
  const auto& radix = e.radix();
  const std::size_t q = radix.size();
  // order: (bound, level sum, index)
  std::vector<double> lb(n);
  std::vector<std::uint32_t> sum(n);
  std::vector<std::uint32_t> lv(q, 0);
  for (std::uint64_t i = 0; i < n; ++i) {
    lb[i] = e.bound(lv);
    sum[i] = std::accumulate(lv.begin(), lv.end(), 0u);
    for (std::size_t k = q; k-- > 0;) {  // increment the mixed-radix counter
      if (++lv[k] < radix[k]) break;
      lv[k] = 0;
    }
  }
  std::vector<std::uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    if (lb[a] != lb[b]) return lb[a] < lb[b];
    if (sum[a] != sum[b]) return sum[a] < sum[b];
    return a < b;
  });
  enum : std::uint8_t { kUnknown = 0, kAnon = 1, kNot = 2 };
  std::vector<std::uint8_t> tag(n, kUnknown);
  std::vector<std::uint64_t> stride(q, 1);
  for (std::size_t k = q; k-- > 1;) stride[k - 1] = stride[k] * radix[k];
  std::vector<std::uint32_t> stack;
  // Tags the closure of a node up (successors) or down (predecessors) with `t`.
  auto close = [&](std::uint32_t start, bool up, std::uint8_t t) {
    stack.assign(1, start);
    tag[start] = t;
    while (!stack.empty()) {
      const std::uint32_t x = stack.back();
      stack.pop_back();
      for (std::size_t k = 0; k < q; ++k) {
        const std::uint32_t l = static_cast<std::uint32_t>((x / stride[k]) % radix[k]);
        if (up ? l + 1 < radix[k] : l > 0) {
          const std::uint32_t y = static_cast<std::uint32_t>(up ? x + stride[k] : x - stride[k]);
          if (tag[y] != t) {
            tag[y] = t;
            stack.push_back(y);
          }
        }
      }
    }
  };
  const bool mono_p = e.monotone_privacy();
  const bool mono_m = e.monotone_measure();
  SearchResult r;
  r.lattice = n;
  double best = INFINITY;
  std::int64_t best_node = -1;
  // Ties (equal loss within 1e-9 relative) go to the lower level sum, then the lower index,
  // whatever order the nodes were checked in: the result does not depend on the path.
  auto tol = [&] { return 1e-9 * std::max(1.0, std::fabs(best)); };
  auto before_best = [&](std::uint32_t x) {
    const auto b = static_cast<std::uint32_t>(best_node);
    return sum[x] != sum[b] ? sum[x] < sum[b] : x < b;
  };
  auto better_node = [&](std::uint32_t x, double loss) {
    if (best_node < 0 || loss < best - tol()) return true;
    return loss <= best + tol() && before_best(x);
  };
  // Checks a node, updates the best, tags; returns whether it is anonymous.
  auto visit = [&](std::uint32_t x) {
    const auto lvx = e.decode(x);
    const Outcome o = e.check(lvx);
    ++r.checks;
    if (o.anonymous) {
      if (better_node(x, o.loss)) {
        best = o.loss;
        best_node = x;
      }
      if (mono_p) close(x, true, kAnon);
    } else if (mono_p || !o.k_part) {
      close(x, false, kNot);  // without full monotonicity the k part alone is (ARX: partial)
    }
    return o.anonymous;
  };
  for (std::uint32_t x : order) {
    if (best_node >= 0 && (lb[x] > best + tol() || (lb[x] >= best - tol() && !before_best(x)))) break;
    if (tag[x] == kNot) continue;
    if (tag[x] == kAnon && mono_m && mono_p) continue;  // an anonymous predecessor is no worse
    if (visit(x) || !mono_p) continue;
    // Not anonymous: a path upwards through unknown nodes (the successor of least bound
    // each step), then a binary search on it for its lowest anonymous node (monotone along
    // a chain; Flash's idea): one check tags a large part of the lattice on either side.
    std::vector<std::uint32_t> path{x};
    while (true) {
      const std::uint32_t cur = path.back();
      std::int64_t nextn = -1;
      for (std::size_t k = 0; k < q; ++k) {
        const std::uint32_t l = static_cast<std::uint32_t>((cur / stride[k]) % radix[k]);
        if (l + 1 >= radix[k]) continue;
        const auto y = static_cast<std::uint32_t>(cur + stride[k]);
        if (tag[y] != kUnknown) continue;
        if (nextn < 0 || lb[y] < lb[static_cast<std::uint32_t>(nextn)]) nextn = y;
      }
      if (nextn < 0) break;
      path.push_back(static_cast<std::uint32_t>(nextn));
    }
    std::size_t lo = 0, hi = path.size();  // path[lo] not anonymous; path[hi] (if any) anonymous
    while (hi - lo > 1) {
      const std::size_t mid = lo + (hi - lo) / 2;
      const std::uint32_t y = path[mid];
      bool anon;
      if (tag[y] == kNot) anon = false;
      else if (tag[y] == kAnon) anon = true;
      else anon = visit(y);
      if (anon) hi = mid;
      else lo = mid;
    }
  }
  if (best_node < 0) {
    r.found = false;
    return r;
  }
  r.found = true;
  fill_result(e, e.decode(static_cast<std::uint64_t>(best_node)), r, nullptr);
  return r;
}

}  // namespace civitas::deid
