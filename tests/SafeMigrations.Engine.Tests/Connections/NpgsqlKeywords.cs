using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.ComponentModel;
using System.Linq;
using System.Reflection;
using Npgsql;

namespace SafeMigrations.Engine.Tests.Connections
{
    /// <summary>
    /// Npgsql's connection-string keywords read from NpgsqlConnectionStringBuilder itself (display name plus the synonyms
    /// of its internal property attribute), so tests follow whatever Npgsql the tests run with.
    /// </summary>
    internal static class NpgsqlKeywords
    {
        /// <summary>Every keyword and synonym of one builder property, e.g. Password: Password, PSW, PWD.</summary>
        public static IReadOnlyList<string> Of(string propertyName)
        {
            PropertyInfo property = typeof(NpgsqlConnectionStringBuilder).GetProperty(propertyName)!;
            var names = new List<string>();
            string? displayName = property.GetCustomAttribute<DisplayNameAttribute>()?.DisplayName;
            if (displayName is not null)
                names.Add(displayName);
            foreach (CustomAttributeData attribute in property.GetCustomAttributesData().Where(a => a.AttributeType.Name == "NpgsqlConnectionStringPropertyAttribute"))
            {
                foreach (CustomAttributeTypedArgument argument in attribute.ConstructorArguments)
                {
                    if (argument.Value is ReadOnlyCollection<CustomAttributeTypedArgument> synonyms)
                        names.AddRange(synonyms.Select(s => (string)s.Value!));
                }
            }
            return names.Distinct().ToList();
        }

        /// <summary>Every property of the builder that has a connection-string keyword.</summary>
        public static IEnumerable<string> Properties()
            => typeof(NpgsqlConnectionStringBuilder).GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.GetCustomAttribute<DisplayNameAttribute>() is not null)
                .Select(p => p.Name);

        /// <summary>The keywords and synonyms of every secret: the password and the SSL key password.</summary>
        public static IEnumerable<string> PasswordKeywords() => Of(nameof(NpgsqlConnectionStringBuilder.Password)).Concat(Of(nameof(NpgsqlConnectionStringBuilder.SslPassword)));
    }
}
