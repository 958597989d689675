import NoexWire

extension RuleEngine {
    /// Runs an action list in order.
    ///
    /// Outside a `try` block every failure is logged and traced once, where it happens, and
    /// the remaining actions still run; inside one (`stopAtFirstFailure`) the list stops at its
    /// first failure, which the `catch` handles.
    /// - Returns: the first failure, if any (a composite action fails when its body did).
    func executeActions(_ actions: [ActionSpec], _ context: inout ExecutionContext, stopAtFirstFailure: Bool)
        -> ActionFailure?
    {
        var first: ActionFailure?
        for action in actions {
            guard context.budget.spend() else {
                actionLimitReached(context.budget, ruleId: context.ruleId)
                break
            }
            do {
                try execute(action, &context)
            } catch {
                var error = error
                if !error.reported && !context.insideTry {
                    error.reported = true
                    log(.warn, "Rule \"\(context.ruleId)\" action \(action.typeName) failed: \(error.message)")
                    trace(
                        "action_failed", ruleId: context.ruleId,
                        ["action": .string(action.typeName), "error": .string(error.message)])
                }
                if first == nil { first = error }
                if stopAtFirstFailure { break }
            }
        }
        return first
    }

    private func execute(_ action: ActionSpec, _ context: inout ExecutionContext) throws(ActionFailure) {
        switch action {
        case .setFact(let keyTemplate, let valueSpec):
            let key = try References.interpolate(keyTemplate, context, facts: getFact)
            guard !key.isEmpty else { throw ActionFailure(message: "set_fact key resolved to an empty string") }
            let value = try References.value(valueSpec, context, facts: getFact)
            let fact: Fact
            do {
                fact = try storeFact(key, value, source: "rule")
            } catch {
                if case .notRunning = error { return }
                throw ActionFailure(message: error.message)
            }
            processFactChange(fact, depth: context.depth + 1, budget: context.budget)

        case .deleteFact(let keyTemplate):
            deleteFact(try References.interpolate(keyTemplate, context, facts: getFact))

        case .emitEvent(let topicTemplate, let dataSpec):
            let topic = try References.interpolate(topicTemplate, context, facts: getFact)
            guard !topic.isEmpty else { throw ActionFailure(message: "emit_event topic resolved to an empty string") }
            if let problem = configuration.limits.keyProblem(topic, what: "Event topic") {
                throw ActionFailure(message: problem)
            }
            let data = try References.object(dataSpec, context, facts: getFact)
            let event = makeEvent(
                topic: topic, data: data, source: "rule", correlationId: context.correlationId, causationId: nil)
            processEvent(event, depth: context.depth + 1, budget: context.budget)

        case .setTimer(let spec):
            try startTimer(spec, context)

        case .cancelTimer(let nameTemplate):
            cancelTimer(try References.interpolate(nameTemplate, context, facts: getFact))

        case .callService(let service, let method, let argSpecs):
            var arguments: [JSONValue] = []
            for arg in argSpecs { arguments.append(try References.value(arg, context, facts: getFact)) }
            _ = try callService(service, method, arguments)

        case .log(let level, let template):
            log(level, try References.interpolate(template, context, facts: getFact))

        case .conditional(let conditions, let then, let otherwise):
            let branch = conditionsHold(conditions, context) ? then : otherwise
            if let failure = executeActions(branch, &context, stopAtFirstFailure: context.insideTry) {
                throw failure
            }

        case .forEach(let collectionSpec, let variable, let body, let maxIterations):
            guard case .array(let items) = try References.value(collectionSpec, context, facts: getFact) else {
                throw ActionFailure(message: "for_each collection must be an array")
            }
            let saved = (context.variables[variable], context.variables["\(variable)_index"])
            defer {
                context.variables[variable] = saved.0
                context.variables["\(variable)_index"] = saved.1
            }
            var first: ActionFailure?
            for (index, item) in items.prefix(max(0, maxIterations)).enumerated() {
                context.variables[variable] = item
                context.variables["\(variable)_index"] = .number(Double(index))
                if let failure = executeActions(body, &context, stopAtFirstFailure: context.insideTry) {
                    first = first ?? failure
                    if context.insideTry { break }
                }
            }
            if let first { throw first }

        case .tryCatch(let body, let catchAs, let handler, let finally):
            let wasInsideTry = context.insideTry
            context.insideTry = true
            let failure = executeActions(body, &context, stopAtFirstFailure: true)
            context.insideTry = wasInsideTry
            var outcome: ActionFailure?
            if let failure {
                if let handler {
                    let saved = catchAs.map { context.variables[$0] }
                    if let catchAs { context.variables[catchAs] = .object(["message": .string(failure.message)]) }
                    outcome = executeActions(handler, &context, stopAtFirstFailure: wasInsideTry)
                    if let catchAs, let saved { context.variables[catchAs] = saved }
                } else {
                    outcome = failure
                }
            }
            if let finalFailure = executeActions(finally, &context, stopAtFirstFailure: wasInsideTry) {
                outcome = outcome ?? finalFailure
            }
            if let outcome { throw outcome }
        }
    }
}
