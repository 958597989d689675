import NoexAuth
import Testing

@Suite struct TopicPatternTests {
    @Test func namesAreMatchedLikePermissions() {
        #expect(TopicPattern.covers("*", "anything"))
        #expect(TopicPattern.covers("orders.*", "orders.created"))
        #expect(!TopicPattern.covers("orders.*", "orders"))
        #expect(!TopicPattern.covers("orders.*", "ordersx.created"))
        #expect(TopicPattern.covers("orders.created", "orders.created"))
        #expect(!TopicPattern.covers("orders.created", "orders.deleted"))
    }

    @Test func aPatternIsCoveredOnlyWhenEveryNameItMatchesIs() {
        #expect(TopicPattern.covers("*", "*"))
        #expect(TopicPattern.covers("orders.*", "orders.*"))
        #expect(TopicPattern.covers("orders.*", "orders.eu.*"))
        #expect(TopicPattern.covers("orders.*", "orders.*.created"))
        #expect(!TopicPattern.covers("orders.*", "*"))
        #expect(!TopicPattern.covers("orders.*", "*.created"))
        #expect(!TopicPattern.covers("orders.*", "orders*"))
        // `orders.eu.*` also matches the bare `orders.eu`, still inside `orders.*`; `orders.*`
        // matching the bare `orders` is only accepted as the constraint itself.
        #expect(!TopicPattern.covers("orders.eu.*", "orders.*"))
        #expect(!TopicPattern.covers("orders.created", "orders.*"))
        #expect(TopicPattern.covers("secret:*", "secret:*"))
        #expect(!TopicPattern.covers("mine.*", "mine*"))
    }
}
