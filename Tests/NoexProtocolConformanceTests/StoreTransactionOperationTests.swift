import NoexProtocol
import NoexWire
import Testing

/// The handwritten `store.transaction` item validator, with the reference's exact messages.
@Suite("StoreTransactionOperation")
struct StoreTransactionOperationTests {

    @Test("valid operations decode and round-trip")
    func validOperations() throws {
        let items: [JSONValue] = [
            ["op": "get", "bucket": "users", "key": "u1"],
            ["op": "insert", "bucket": "users", "data": ["name": "A"]],
            ["op": "update", "bucket": "users", "key": 1, "data": [:]],
            ["op": "delete", "bucket": "users", "key": false],
            ["op": "where", "bucket": "users", "filter": ["role": "admin"]],
            ["op": "findOne", "bucket": "users", "filter": [:]],
            ["op": "count", "bucket": "users"],
            ["op": "count", "bucket": "users", "filter": ["a": 1]],
        ]
        let request = try StoreTransactionRequest(payload: ["operations": .array(items)])
        #expect(request.operations.map(\.op) == [.get, .insert, .update, .delete, .where, .findOne, .count, .count])
        #expect(request.payload()["operations"] == .array(items))
    }

    @Test("members an operation does not use are dropped; a non-object count filter reads as none")
    func unusedMembersDropped() throws {
        let request = try StoreTransactionRequest(payload: [
            "operations": [["op": "insert", "bucket": "b", "key": "k", "data": [:], "filter": [:]], ["op": "count", "bucket": "b", "filter": "x"]]
        ])
        #expect(request.operations[0].key == nil)
        #expect(request.operations[0].filter == nil)
        #expect(request.operations[1].filter == nil)
    }

    @Test(
        "bad operations give the reference's messages",
        arguments: [
            (JSONValue.string("x"), #"Missing or invalid "operations": expected array"#),
            ([], #""operations" must contain at least one operation"#),
            (["nope"], "operations[0]: expected object"),
            ([["op": "get", "bucket": "b", "key": 1], ["op": "upsert", "bucket": "b"]],
             #"operations[1]: invalid "op" — expected one of: get, insert, update, delete, where, findOne, count"#),
            ([["bucket": "b"]], #"operations[0]: invalid "op" — expected one of: get, insert, update, delete, where, findOne, count"#),
            ([["op": "get"]], #"operations[0]: missing or invalid "bucket""#),
            ([["op": "get", "bucket": ""]], #"operations[0]: missing or invalid "bucket""#),
            ([["op": "get", "bucket": "b"]], #"operations[0]: "get" requires "key""#),
            ([["op": "delete", "bucket": "b", "key": .null]], #"operations[0]: "delete" requires "key""#),
            ([["op": "update", "bucket": "b", "key": 1]], #"operations[0]: "update" requires "data" object"#),
            ([["op": "insert", "bucket": "b", "data": []]], #"operations[0]: "insert" requires "data" object"#),
            ([["op": "where", "bucket": "b"]], #"operations[0]: "where" requires "filter" object"#),
            ([["op": "findOne", "bucket": "b", "filter": "x"]], #"operations[0]: "findOne" requires "filter" object"#),
        ] as [(JSONValue, String)])
    func badOperations(_ operations: JSONValue, _ message: String) {
        #expect(throws: ProtocolError(.validationError, message)) {
            try Request(type: "store.transaction", payload: ["id": 1, "type": "store.transaction", "operations": operations])
        }
    }
}
