using Microsoft.CodeAnalysis.Operations;

namespace SafeMigrations.CodeFixes.Infrastructure
{
    /// <summary>Reads constant arguments of a builder call by parameter name (omitted optional arguments give their default).</summary>
    internal static class InvocationArguments
    {
        /// <summary>
        /// True when the argument for <paramref name="parameter"/> is a compile-time constant (or omitted with a constant
        /// default); <paramref name="value"/> is then the string (null for a null constant).
        /// </summary>
        public static bool TryGetString(IInvocationOperation invocation, string parameter, out string? value)
        {
            value = null;
            foreach (var argument in invocation.Arguments)
            {
                if (argument.Parameter?.Name != parameter)
                {
                    continue;
                }

                var operation = argument.Value is IConversionOperation conversion ? conversion.Operand : argument.Value;
                if (!operation.ConstantValue.HasValue)
                {
                    return false;
                }

                value = operation.ConstantValue.Value as string;
                return operation.ConstantValue.Value is null || value != null;
            }

            return false;
        }

        /// <summary>The constant string argument, or null (absent, null or not constant).</summary>
        public static string? String(IInvocationOperation invocation, string parameter) =>
            TryGetString(invocation, parameter, out var value) ? value : null;
    }
}
