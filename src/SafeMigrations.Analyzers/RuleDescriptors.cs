using Microsoft.CodeAnalysis;

namespace SafeMigrations.Analyzers
{
    /// <summary>The one place diagnostic descriptors are made: same help link scheme, enabled by default.</summary>
    public static class RuleDescriptors
    {
        /// <summary>Base of every rule's help link; the rule's page is <c>{HelpLinkBase}{id}.md</c>.</summary>
        public const string HelpLinkBase = "https://github.com/safemigrations/safemigrations/blob/main/docs/rules/";

        /// <summary>The help link of a rule.</summary>
        public static string HelpLink(string id) => HelpLinkBase + id + ".md";

        /// <summary>Custom tag of a descriptor whose diagnostics get no code fix (a message shape the rule's fix cannot rewrite safely).</summary>
        public const string NoCodeFix = "SafeMigrations.NoCodeFix";

        /// <summary>Creates a rule descriptor.</summary>
        /// <param name="id">One of <see cref="RuleIdentifiers"/>.</param>
        /// <param name="title">Short title (no trailing period).</param>
        /// <param name="messageFormat">Message: what is locked, what that blocks, and the safe sequence.</param>
        /// <param name="category">One of <see cref="RuleCategories"/>.</param>
        /// <param name="description">Longer description shown in the IDE.</param>
        /// <param name="severity">Default severity; Warning unless there is a reason.</param>
        /// <param name="customTags">E.g. <see cref="NoCodeFix"/>.</param>
        [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0030:Do not use banned APIs", Justification = "The one factory the ban points to.")]
        public static DiagnosticDescriptor Create(
            string id,
            string title,
            string messageFormat,
            string category,
            string description,
            DiagnosticSeverity severity = DiagnosticSeverity.Warning,
            params string[] customTags)
        {
            return new DiagnosticDescriptor(
                id,
                title,
                messageFormat,
                category,
                severity,
                isEnabledByDefault: true,
                description: description,
                helpLinkUri: HelpLink(id),
                customTags: customTags);
        }
    }
}
