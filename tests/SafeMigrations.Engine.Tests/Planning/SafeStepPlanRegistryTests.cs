using System;
using System.Linq;
using SafeMigrations.Engine.Planning;
using SafeMigrations.Engine.Planning.Steps;

namespace SafeMigrations.Engine.Tests.Planning
{
    /// <summary>Every safe step kind has its one plan class in Planning/Steps, and the registry lists exactly those.</summary>
    public sealed class SafeStepPlanRegistryTests
    {
        [Fact]
        public void Every_safe_step_name_has_exactly_one_registered_plan()
        {
            var names = SafeStepPlanSnapshotTests.SafeStepNames();
            Assert.Equal(names, SafeStepPlans.Registered.Select(p => p.Step));
            foreach (string name in names)
                Assert.Same(Assert.Single(SafeStepPlans.Registered, p => p.Step == name), SafeStepPlans.For(name));
        }

        [Fact]
        public void Every_plan_class_is_registered_once_and_named_after_its_kind()
        {
            Type[] classes = typeof(ISafeStepPlan).Assembly.GetTypes()
                .Where(t => typeof(ISafeStepPlan).IsAssignableFrom(t) && !t.IsAbstract && !t.IsInterface && t != typeof(UnknownStepPlan))
                .ToArray();
            Assert.NotEmpty(classes);
            foreach (Type type in classes)
            {
                ISafeStepPlan plan = Assert.Single(SafeStepPlans.Registered, p => p.GetType() == type);
                Assert.Equal(plan.Step + "Plan", type.Name);
                Assert.Equal(typeof(ISafeStepPlan).Namespace, type.Namespace);
            }
            Assert.Equal(classes.Length, SafeStepPlans.Registered.Count);
        }

        [Fact]
        public void A_kind_this_engine_does_not_know_is_planned_from_its_sql()
        {
            ISafeStepPlan plan = SafeStepPlans.For("SomeFutureStep");
            Assert.IsType<UnknownStepPlan>(plan);
            Assert.Equal("SomeFutureStep", plan.Step);
        }
    }
}
