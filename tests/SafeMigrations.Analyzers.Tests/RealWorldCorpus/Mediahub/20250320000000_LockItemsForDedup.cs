using System;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Mediahub.Data;

#nullable disable

namespace Mediahub.Data.Migrations
{
    /// <inheritdoc />
    [DbContext(typeof(MediahubDbContext))]
    [Migration("20250320000000_LockItemsForDedup")]
    public partial class LockItemsForDedup : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("LOCK TABLE \"BaseItems\" IN ACCESS EXCLUSIVE MODE;");
            migrationBuilder.Sql(@"DELETE FROM ""BaseItems"" a USING ""BaseItems"" b WHERE a.""Path"" = b.""Path"" AND a.""Id"" < b.""Id"";");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }
}
