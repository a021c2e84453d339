using System;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using SafeMigrations.Engine.Planning;

namespace SafeMigrations.Engine.State
{
    /// <summary>
    /// What a recorded step was: a short hash of its kind and its SQL with whitespace collapsed, stored with the step's
    /// progress so that an edited migration (a step inserted, removed, moved or changed) is noticed before a step that
    /// never ran is taken for a completed one.
    /// </summary>
    public static class StepFingerprint
    {
        /// <summary>The fingerprint of <paramref name="step"/>: 16 hex digits of SHA-256 over kind and normalized SQL.</summary>
        public static string Of(PlanStep step)
        {
            if (step is null)
                throw new ArgumentNullException(nameof(step));
            return Of(step.Kind, step.Sql);
        }

        /// <summary>The fingerprint of a step of <paramref name="kind"/> running <paramref name="sql"/>.</summary>
        public static string Of(string kind, string sql)
        {
            // Whitespace and a trailing semicolon do not change what runs; reformatting a migration is not an edit.
            string normalized = Regex.Replace(sql ?? string.Empty, @"\s+", " ").Trim().TrimEnd(';').TrimEnd();
            byte[] hash;
            using (SHA256 sha = SHA256.Create())
                hash = sha.ComputeHash(Encoding.UTF8.GetBytes(kind + "\n" + normalized));
            var hex = new StringBuilder(16);
            for (int i = 0; i < 8; i++)
                hex.Append(hash[i].ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            return hex.ToString();
        }
    }
}
