import NoexProtocol
import NoexRules
import NoexWire

extension OperationHandlers {
    func emit(_ request: RulesEmitRequest, context: RequestContext) throws -> JSONValue? {
        let event = try rulesEngine().emit(
            topic: request.topic, data: request.data ?? [:],
            correlationId: request.correlationId,
            causationId: request.correlationId == nil ? nil : request.causationId?.stringValue)
        return .object(event.json)
    }

    func setFact(_ request: RulesSetFactRequest, context: RequestContext) throws -> JSONValue? {
        .object(try rulesEngine().setFact(request.key, request.value).json)
    }

    func getFact(_ request: RulesGetFactRequest, context: RequestContext) throws -> JSONValue? {
        try rulesEngine().getFact(request.key) ?? .null
    }

    func deleteFact(_ request: RulesDeleteFactRequest, context: RequestContext) throws -> JSONValue? {
        ["deleted": .bool(try rulesEngine().deleteFact(request.key))]
    }

    func queryFacts(_ request: RulesQueryFactsRequest, context: RequestContext) throws -> JSONValue? {
        .array(try rulesEngine().queryFacts(request.pattern).map { .object($0.json) })
    }

    func getAllFacts(_ request: RulesGetAllFactsRequest, context: RequestContext) throws -> JSONValue? {
        .array(try rulesEngine().allFacts().map { .object($0.json) })
    }

    func subscribe(_ request: RulesSubscribeRequest, context: RequestContext) throws -> JSONValue? {
        let engine = try rulesEngine()
        try engine.validatePattern(request.pattern, field: "pattern")
        let connection = context.connection
        let subscriptionId = core.makeSubscriptionId()
        // Registered before the engine can fire, so the first matching event is not lost.
        // Captured strongly (no weak reference to a connection, see `ConnectionLink`): the engine
        // drops this handler when the subscription is cancelled, by unsubscribe or by
        // `tearDown()`, or by `addRulesSubscription` when the connection closed meanwhile.
        let authorizer = core.authorizer
        let barePrefix = request.pattern.hasSuffix(".*") ? String(request.pattern.dropLast(2)) : nil
        let subscription = engine.subscribe(request.pattern) { topic, event in
            // `x.*` also matches the bare topic `x`, which a `x.*` permission does not cover.
            if topic == barePrefix, !authorizer.mayReceiveEvent(on: topic, session: connection.session) { return }
            // A forwarded store change carries whole records: it reaches only a client that may
            // read its bucket now, whatever the pattern (`*`, `bucket.*`) let through (F22).
            if event.source == "store", authorizer.authConfigured {
                guard case .string(let bucket)? = event.data["bucket"],
                    authorizer.mayReceiveStoreEvent(of: bucket, session: connection.session)
                else { return }
            }
            let data: JSONValue = ["topic": .string(topic), "event": .object(event.json)]
            connection.pushEvent(
                subscriptionId,
                frame: OutboundMessage.push(
                    channel: PushChannel.event.rawValue, subscriptionId: subscriptionId, data: data))
        }
        _ = connection.addRulesSubscription(subscriptionId, subscription)
        return ["subscriptionId": .string(subscriptionId)]
    }

    func unsubscribe(_ request: RulesUnsubscribeRequest, context: RequestContext) throws -> JSONValue? {
        guard context.connection.removeRulesSubscription(request.subscriptionId) else {
            throw ProtocolError(.notFound, "Subscription \"\(request.subscriptionId)\" not found")
        }
        return ["unsubscribed": true]
    }

    func stats(_ request: RulesStatsRequest, context: RequestContext) throws -> JSONValue? {
        .object(try rulesEngine().stats())
    }

    func registerRule(_ request: RulesRegisterRuleRequest, context: RequestContext) throws -> JSONValue? {
        let rule = try core.definitions.registerRule(request.rule, engine: rulesEngine())
        return [
            "id": .string(rule.id), "name": .string(rule.name), "version": .number(Double(rule.version)),
            "createdAt": .number(Double(rule.createdAt)), "updatedAt": .number(Double(rule.updatedAt)),
        ]
    }

    func unregisterRule(_ request: RulesUnregisterRuleRequest, context: RequestContext) throws -> JSONValue? {
        guard try core.definitions.unregisterRule(request.ruleId, engine: rulesEngine()) else { throw Self.ruleNotFound(request.ruleId) }
        return ["ruleId": .string(request.ruleId), "unregistered": true]
    }

    func updateRule(_ request: RulesUpdateRuleRequest, context: RequestContext) throws -> JSONValue? {
        let rule = try core.definitions.updateRule(request.ruleId, updates: request.updates, engine: rulesEngine())
        return [
            "id": .string(rule.id), "version": .number(Double(rule.version)),
            "updatedAt": .number(Double(rule.updatedAt)),
        ]
    }

    func enableRule(_ request: RulesEnableRuleRequest, context: RequestContext) throws -> JSONValue? {
        guard try core.definitions.setRuleEnabled(request.ruleId, true, engine: rulesEngine()) else { throw Self.ruleNotFound(request.ruleId) }
        return ["ruleId": .string(request.ruleId), "enabled": true]
    }

    func disableRule(_ request: RulesDisableRuleRequest, context: RequestContext) throws -> JSONValue? {
        guard try core.definitions.setRuleEnabled(request.ruleId, false, engine: rulesEngine()) else { throw Self.ruleNotFound(request.ruleId) }
        return ["ruleId": .string(request.ruleId), "enabled": false]
    }

    func getRule(_ request: RulesGetRuleRequest, context: RequestContext) throws -> JSONValue? {
        guard let rule = try rulesEngine().getRule(request.ruleId) else { throw Self.ruleNotFound(request.ruleId) }
        return .object(rule.json)
    }

    func getRules(_ request: RulesGetRulesRequest, context: RequestContext) throws -> JSONValue? {
        ["rules": .array(try rulesEngine().rules().map { .object($0.summaryJSON) })]
    }

    func validateRule(_ request: RulesValidateRuleRequest, context: RequestContext) throws -> JSONValue? {
        .object(try rulesEngine().validateRule(request.rule).json)
    }

    private static func ruleNotFound(_ id: String) -> ProtocolError {
        ProtocolError(.notFound, "Rule \"\(id)\" not found")
    }
}
