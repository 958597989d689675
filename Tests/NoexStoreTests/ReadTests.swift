import NoexStore
import NoexWire
import Testing

@Suite struct ReadTests {
    /// Five products with ids p1..p5, inserted in order.
    func products() throws -> (Store, BucketHandle) {
        let store = try makeStore()
        try store.defineBucket("products", json: [
            "key": "id",
            "schema": [
                "id": ["type": "string"], "name": ["type": "string"], "price": ["type": "number"],
                "tag": ["type": "string"], "code": ["type": "string", "unique": true],
            ],
            "indexes": ["tag"],
        ])
        let b = try store.bucket("products")
        let rows: [JSONObject] = [
            ["id": "p1", "name": "a", "price": 10, "tag": "x", "code": "A"],
            ["id": "p2", "name": "b", "price": 20, "tag": "y", "code": "B"],
            ["id": "p3", "name": "c", "price": 30, "tag": "x", "misc": "30"],
            ["id": "p4", "name": "d", "price": 5, "tag": "z", "misc": true],
            ["id": "p5", "name": "e", "tag": "x", "misc": nil],
        ]
        for row in rows { try b.insert(row) }
        return (store, b)
    }

    func ids(_ records: [JSONObject]) -> [JSONValue] { records.map { $0["id"] ?? .null } }

    @Test func getAndAll() throws {
        let (_, b) = try products()
        #expect(try b.get("p2")?["name"] == "b")
        #expect(try b.get("nope") == nil)
        #expect(try b.get(2) == nil, "the number 2 is not the string key")
        #expect(ids(try b.all()) == ["p1", "p2", "p3", "p4", "p5"])
    }

    @Test func whereUsesStrictEquality() throws {
        let (_, b) = try products()
        #expect(ids(try b.where(["tag": "x"])) == ["p1", "p3", "p5"])
        #expect(ids(try b.where(["tag": "x", "price": 30])) == ["p3"])
        #expect(ids(try b.where(["price": "10"])).isEmpty, "no type coercion")
        #expect(ids(try b.where(["misc": nil])) == ["p5"], "null matches only stored nulls")
        #expect(ids(try b.where([:])) == ["p1", "p2", "p3", "p4", "p5"])
        #expect(ids(try b.where(["name": ["a"]])).isEmpty, "arrays never compare equal")
        #expect(ids(try b.where(["code": "B"])) == ["p2"], "unique index lookup")
        #expect(try b.where(["nope": 1]).isEmpty)
    }

    @Test func indexedWhereFollowsIndexOrder() throws {
        let (_, b) = try products()
        // p1 leaves "x" and comes back: it is now last under "x" in the index.
        try b.update("p1", ["tag": "y"])
        try b.update("p1", ["tag": "x"])
        #expect(ids(try b.where(["tag": "x"])) == ["p3", "p5", "p1"])
        #expect(ids(try b.where(["price": ["$gte": 0]])) == ["p1", "p2", "p3", "p4"], "a scan follows table order")
        // The reference quirk: a null filter on an indexed field finds nothing.
        #expect(try b.where(["tag": nil]).isEmpty)
    }

    @Test func filterOperators() throws {
        let (_, b) = try products()
        #expect(ids(try b.where(["price": ["$gt": 10, "$lte": 30]])) == ["p2", "p3"])
        #expect(ids(try b.where(["price": ["$lt": 10]])) == ["p4"])
        #expect(ids(try b.where(["price": ["$between": [10, 20]]])) == ["p1", "p2"])
        #expect(ids(try b.where(["tag": ["$in": ["y", "z"]]])) == ["p2", "p4"])
        #expect(ids(try b.where(["tag": ["$nin": ["x"]]])) == ["p2", "p4"])
        #expect(ids(try b.where(["tag": ["$neq": "x"]])) == ["p2", "p4"])
        #expect(ids(try b.where(["name": ["$contains": "B"]])) == ["p2"])
        #expect(ids(try b.where(["id": ["$startsWith": "p"], "name": ["$endsWith": "e"]])) == ["p5"])
        #expect(ids(try b.where(["price": ["$exists": false]])) == ["p5"])
        #expect(ids(try b.where(["$or": [["tag": "y"], ["price": 5]]])) == ["p2", "p4"])
        #expect(ids(try b.where(["$and": [["tag": "x"], ["price": ["$gt": 10]]]])) == ["p3"])
        #expect(ids(try b.where(["misc": ["$eq": nil]])) == ["p5"])
        #expect(storeError { () throws(StoreError) in try b.where(["price": ["$near": 1]]) }?.message
            == "Invalid filter: unknown operator \"$near\"")
        #expect(ids(try b.where(["name": ["$x": 1, "y": 2]])).isEmpty, "mixed keys are a plain value, not operators")
    }

    @Test func findOneAndCount() throws {
        let (store, b) = try products()
        #expect(try b.findOne(["tag": "x"])?["id"] == "p1")
        #expect(try b.findOne([:])?["id"] == "p1")
        #expect(try b.findOne(["tag": "none"]) == nil)
        #expect(try b.count() == 5)
        #expect(try b.count(["tag": "x"]) == 3)
        #expect(try b.count(["tag": "none"]) == 0)
        try store.defineBucket("empty", json: ["key": "id", "schema": ["id": ["type": "string"]]])
        #expect(try store.bucket("empty").count() == 0)
        #expect(try store.bucket("empty").all().isEmpty)
    }

    @Test func firstAndLast() throws {
        let (_, b) = try products()
        #expect(ids(try b.first(2)) == ["p1", "p2"])
        #expect(ids(try b.last(2)) == ["p4", "p5"])
        #expect(ids(try b.first(10)).count == 5)
        #expect(ids(try b.last(10)) == ["p1", "p2", "p3", "p4", "p5"])
        #expect(try b.first(0).isEmpty)
        #expect(try b.last(0).count == 5, "last(0) returns every record, as in the reference")
    }

    @Test func orderedSetSortsKeys() throws {
        let store = try makeStore()
        try store.defineBucket("o", json: ["key": "k", "schema": ["k": ["type": "date"]], "etsType": "ordered_set"])
        let o = try store.bucket("o")
        for k: JSONValue in [10, 9, 100, 1] { try o.insert(["k": k]) }
        #expect(try o.first(4).map { $0["k"] ?? .null } == [1, 9, 10, 100])
        #expect(try o.last(1).map { $0["k"] ?? .null } == [100])
        #expect(try o.paginate(after: 9, limit: 2).records.map { $0["k"] ?? .null } == [10, 100])
        try store.defineBucket("s", json: ["key": "k", "schema": ["k": ["type": "string"]], "etsType": "ordered_set"])
        let s = try store.bucket("s")
        for k in ["b", "A", "a", "10", "9", "_x", "B"] { try s.insert(["k": .string(k)]) }
        #expect(try s.first(7).map { $0["k"] ?? .null } == ["_x", "10", "9", "a", "A", "b", "B"])
    }

    @Test func paginate() throws {
        let (_, b) = try products()
        let first = try b.paginate(limit: 2)
        #expect(ids(first.records) == ["p1", "p2"])
        #expect(first.hasMore)
        #expect(first.nextCursor == "p2")
        let second = try b.paginate(after: first.nextCursor, limit: 2)
        #expect(ids(second.records) == ["p3", "p4"])
        #expect(second.hasMore)
        let third = try b.paginate(after: second.nextCursor, limit: 2)
        #expect(ids(third.records) == ["p5"])
        #expect(!third.hasMore)
        #expect(third.nextCursor == "p5")
        #expect(third.json["nextCursor"] == "p5")
        let unknown = try b.paginate(after: "ghost", limit: 2)
        #expect(unknown.records.isEmpty && !unknown.hasMore && unknown.nextCursor == nil)
        #expect(unknown.json == ["records": [], "hasMore": false], "nextCursor is omitted on an empty page")
        #expect(try b.paginate(after: .null, limit: 2).records.isEmpty, "an explicit null cursor gives an empty page")
        let exact = try b.paginate(after: "p3", limit: 2)
        #expect(ids(exact.records) == ["p4", "p5"] && !exact.hasMore)
    }

    @Test func aggregates() throws {
        let (store, b) = try products()
        #expect(try b.sum("price") == 65)
        #expect(try b.avg("price") == 16.25, "avg divides by the count of numeric values")
        #expect(try b.min("price") == 5)
        #expect(try b.max("price") == 30)
        #expect(try b.sum("price", filter: ["tag": "x"]) == 40)
        #expect(try b.sum("misc") == 0, "strings, booleans and nulls are ignored")
        #expect(try b.min("misc") == nil)
        try store.defineBucket("empty", json: ["key": "id", "schema": ["id": ["type": "string"]]])
        let e = try store.bucket("empty")
        #expect(try e.sum("x") == 0 && e.avg("x") == 0 && e.min("x") == nil && e.max("x") == nil)
    }
}
