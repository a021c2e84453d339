using System.Globalization;

namespace SafeMigrations.Sql.Rules
{
    /// <summary>
    /// The text of an analyzer rule that judges SQL statements: its ID, title, message and description. The analyzer's
    /// descriptor and the engine's run-time judgement of the same statement both read it, so they say the same thing.
    /// </summary>
    public sealed class StatementRule
    {
        internal StatementRule(string id, string title, string messageFormat, string description)
        {
            Id = id;
            Title = title;
            MessageFormat = messageFormat;
            Description = description;
        }

        /// <summary>The rule's diagnostic ID, e.g. <c>SM0015</c>.</summary>
        public string Id { get; }

        public string Title { get; }

        /// <summary>Composite format of the message; its arguments come with each <see cref="StatementFinding"/>.</summary>
        public string MessageFormat { get; }

        public string Description { get; }

        /// <summary>The message with its arguments filled in, as the analyzer's diagnostic shows it.</summary>
        public string Format(object?[] arguments) => string.Format(CultureInfo.InvariantCulture, MessageFormat, arguments);

        public override string ToString() => Id;
    }
}
