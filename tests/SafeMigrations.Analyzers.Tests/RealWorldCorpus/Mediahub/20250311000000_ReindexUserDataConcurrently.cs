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
    [Migration("20250311000000_ReindexUserDataConcurrently")]
    public partial class ReindexUserDataConcurrently : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("REINDEX TABLE CONCURRENTLY \"UserData\";", suppressTransaction: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }
}
