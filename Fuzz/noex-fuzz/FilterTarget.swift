// Fuzz target `filter`: the record filter and the declarative query compiler of the store.
import NoexStore
import NoexWire

/// A store with one bucket of varied records, shared by every input (inputs only read it).
private let filterStore: Store? = {
    guard let store = try? Store() else { return nil }
    do {
        try store.defineBucket(
            "items",
            json: [
                "key": "id",
                "schema": [
                    "id": ["type": "number"], "name": ["type": "string"], "tags": ["type": "array"],
                    "score": ["type": "number"], "meta": ["type": "object"], "active": ["type": "boolean"],
                ],
                "indexes": ["name"],
            ])
        let bucket = try store.bucket("items")
        let records: [JSONObject] = [
            ["id": 1, "name": "alpha", "tags": ["a", "b"], "score": 10, "meta": ["x": 1], "active": true],
            ["id": 2, "name": "beta", "tags": [], "score": -3.5, "meta": ["x": "1"], "active": false],
            ["id": 3, "name": "Gamma", "score": 1e300, "meta": [:]],
            ["id": 4, "name": "", "tags": ["a"], "score": 0],
            ["id": 5, "name": "δέλτα", "tags": [1, 2, 3], "score": 9_007_199_254_740_993],
            ["id": 6],
        ]
        for record in records { _ = try bucket.insert(record) }
    } catch {
        return nil
    }
    return store
}()

/// How many declarative queries were defined, for unique names.
nonisolated(unsafe) private var queryCount = 0

/// Input: a JSON object. As a filter on the bucket: `where`, `count` and `findOne` agree with
/// each other and never crash; `sum`/`avg`/`min`/`max` over its first key never crash. As a
/// declarative query config (`bucket` set to `items`): it is defined, run (with `params` from
/// the input) and removed, or refused with a `StoreError`.
let filterTarget = FuzzTarget(
    name: "filter", summary: "RecordFilter (where/count/findOne/aggregates) + DeclarativeQuery"
) { input in
    guard let store = filterStore, case .object(let object)? = input.json,
          let bucket = try? store.bucket("items")
    else { return }
    if let matches = try? bucket.where(object) {
        let count = try? bucket.count(object)
        fuzzCheck(count == matches.count, "count \(String(describing: count)) differs from where \(matches.count)")
        let one = try? bucket.findOne(object)
        fuzzCheck((one != nil) == !matches.isEmpty, "findOne disagrees with where")
    }
    if let field = object.keys.first {
        _ = try? bucket.sum(field, filter: object)
        _ = try? bucket.avg(field, filter: object)
        _ = try? bucket.min(field, filter: object)
        _ = try? bucket.max(field, filter: object)
    }
    guard object["bucket"] != nil else { return }
    var config = object
    config["bucket"] = "items"
    queryCount += 1
    let name = "q\(queryCount)"
    guard (try? store.defineQuery(name, json: config)) != nil else { return }
    _ = try? store.runQuery(name, params: object["params"])
    try? store.undefineQuery(name)
}
